/**
 * The door in AWS: a regional REST API on the hub's own domain with mutual TLS, the default
 * `execute-api` endpoint disabled so the domain is the only way in. API Gateway ends a handshake
 * without a certificate that chains to the truststore (the hub's client CA, a PEM bundle in S3);
 * the ingress function maps the certificate it passes on (`requestContext.identity.clientCert`) to
 * the client by fingerprint and authorizes (functions/ingress/door.ts), as the embedded runtime does.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface DoorApiProps {
  /** The function behind `POST /envelopes`. */
  readonly ingress: lambda.IFunction;
  /** The function behind `/inbox/…` (a client's pull API and its target lists). */
  readonly inbox: lambda.IFunction;
  /** The custom domain, e.g. koto-hub.example.fi. */
  readonly domainName: string;
  /** An ACM certificate for the domain, in the stack's region. */
  readonly certificateArn: string;
  /** `s3://bucket/key` of the truststore: the CA certificates the clients' certificates chain to. */
  readonly truststoreUri: string;
  readonly key: kms.IKey;
}

/** The account-wide ceiling in front of each client's own rate (the door's 429s). */
const STAGE_RATE_PER_SECOND = 50;
const STAGE_BURST = 100;

export class DoorApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly domain: apigateway.CfnDomainName;

  constructor(scope: Construct, id: string, props: DoorApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: props.key });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-door`,
      description: 'koto-hub: the door for municipal systems (mutual TLS on the custom domain only)',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: true,
      // The account's API Gateway logging role is the account's business, not this stack's.
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
        throttlingRateLimit: STAGE_RATE_PER_SECOND,
        throttlingBurstLimit: STAGE_BURST,
        tracingEnabled: true,
      },
    });
    // The envelope's contract is checked by ingress (naming each failing field); API Gateway's own
    // validation finds no model to check the body against and passes it on.
    const validator = this.api.addRequestValidator('Request', { validateRequestBody: true, validateRequestParameters: true });
    this.api.root
      .addResource('envelopes')
      .addMethod('POST', new apigateway.LambdaIntegration(props.ingress, { timeout: Duration.seconds(29) }), {
        authorizationType: apigateway.AuthorizationType.NONE,
        requestValidator: validator,
      });
    // GET /inbox/{municipality}/messages, POST /inbox/{municipality}/ack, GET /inbox/{municipality}/lists/{run}.json|csv:
    // the inbox function routes them, and answers 404/405 to the rest, after the door has named the caller.
    const inbox = this.api.root.addResource('inbox').addResource('{proxy+}');
    const inboxIntegration = new apigateway.LambdaIntegration(props.inbox, { timeout: Duration.seconds(29) });
    for (const method of ['GET', 'POST']) inbox.addMethod(method, inboxIntegration, { authorizationType: apigateway.AuthorizationType.NONE });

    this.domain = new apigateway.CfnDomainName(this, 'Domain', {
      domainName: props.domainName,
      regionalCertificateArn: props.certificateArn,
      endpointConfiguration: { types: ['REGIONAL'] },
      securityPolicy: 'TLS_1_2',
      mutualTlsAuthentication: { truststoreUri: props.truststoreUri },
    });
    new apigateway.CfnBasePathMapping(this, 'Mapping', {
      domainName: this.domain.ref,
      restApiId: this.api.restApiId,
      stage: this.api.deploymentStage.stageName,
    });

    const reasons = {
      'AwsSolutions-APIG4':
        'The caller is authenticated by mutual TLS on the custom domain (the only endpoint: execute-api is disabled), and the ingress ' +
        'function maps the client certificate to a registered, active client before anything else (functions/ingress/door.ts).',
      'AwsSolutions-COG4': 'Clients are information systems authenticated by their TLS client certificates, as on X-Road; there are no Cognito users.',
      'AwsSolutions-APIG3':
        'No WAF: only a client holding a certificate of the hub CA completes the TLS handshake, each client has its own rate at the door, and the stage is throttled.',
      'AwsSolutions-APIG6':
        'Execution logging needs the account-wide API Gateway CloudWatch role, which this stack does not own; access logs are on, and the ingress function logs every request and refusal.',
    } as const;
    for (const [rule, reason] of Object.entries(reasons)) Validations.of(this.api).acknowledge({ id: rule, reason });
  }
}
