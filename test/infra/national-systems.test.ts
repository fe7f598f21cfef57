/**
 * The hub's own credentials toward the national systems (#10 item 4) in the synthesised stack:
 * VTJ's username and password and the X-Road TLS client certificate are Secrets Manager secrets of
 * the stack's key, readable only by the functions that use them; the functions that call the
 * security server run in the VPC whose subnets are parameters, and no other function does.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { functionNames, functionSpec, type FunctionName } from '#infra/topology';
import { buildStack } from './build-stack.ts';

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
interface Statement {
  readonly Action: string | string[];
  readonly Resource?: unknown;
}

const { stack, logicalId } = buildStack();
const template = Template.fromStack(stack);
const json = template.toJSON() as { Resources: Record<string, CfnResource>; Parameters: Record<string, { Type: string }> };
const resource = (id: string): CfnResource => json.Resources[id]!;
const functionId = (name: FunctionName) => logicalId(stack.functions[name].function);
const roleId = (name: FunctionName) => logicalId(stack.functions[name].role);
const callsXRoad = (name: FunctionName) => (functionSpec(name).calls?.length ?? 0) > 0;
const keyArn = { 'Fn::GetAtt': [logicalId(stack.key), 'Arn'] };

/** Each role's statements, from the policies attached to it. */
const statementsOf = (role: string): Statement[] =>
  Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(`"${role}"`))
    .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);

const actions = (statement: Statement) => [statement.Action].flat();

/** The functions whose roles may read a secret (any statement naming it). */
const readersOf = (secretId: string): FunctionName[] =>
  functionNames.filter((name) =>
    statementsOf(roleId(name)).some((s) => actions(s).includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes(`"${secretId}"`)),
  );

describe("VTJ's username and password", () => {
  const secretId = logicalId(stack.vtjCredentialsSecret);

  it('are a Secrets Manager secret under the stack key, with no value in the template but the empty fields the operator fills', () => {
    const { Properties } = resource(secretId);
    expect(Properties).toMatchObject({ KmsKeyId: keyArn, GenerateSecretString: { GenerateStringKey: 'placeholder' } });
    expect(Properties).not.toHaveProperty('SecretString');
    expect(JSON.parse((Properties!.GenerateSecretString as { SecretStringTemplate: string }).SecretStringTemplate)).toEqual({ username: '', password: '' });
  });

  it('are read by the VTJ adapter only, and by it from that secret only', () => {
    expect(readersOf(secretId)).toEqual(['vtj-adapter']);
    const reads = statementsOf(roleId('vtj-adapter')).filter((s) => actions(s).includes('secretsmanager:GetSecretValue'));
    for (const statement of reads) expect(statement.Resource).not.toEqual('*');
    expect(reads.flatMap((s) => [s.Resource].flat())).toContainEqual({ Ref: secretId });
  });

  it('reach no function as an environment value: the VTJ adapter gets the secret ARN and no username or password variable', () => {
    for (const name of functionNames) {
      const variables = (resource(functionId(name)).Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables).filter((key) => /VTJ_(USERNAME|PASSWORD)/.test(key)), name).toEqual([]);
    }
    const variables = (resource(functionId('vtj-adapter')).Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.KOTO_VTJ_CREDENTIALS_SECRET_ARN).toEqual({ Ref: secretId });
  });
});

describe("the hub's X-Road TLS client certificate", () => {
  const secretId = logicalId(stack.xroadTlsSecret);

  it('is a Secrets Manager secret under the stack key, JSON of the certificate, its key and the CA, filled by the operator', () => {
    const { Properties } = resource(secretId);
    expect(Properties).toMatchObject({ KmsKeyId: keyArn });
    expect(Properties).not.toHaveProperty('SecretString');
    expect(JSON.parse((Properties!.GenerateSecretString as { SecretStringTemplate: string }).SecretStringTemplate)).toEqual({
      certificate: '',
      privateKey: '',
      securityServerCa: '',
    });
  });

  it('is read by exactly the functions that call X-Road', () => {
    expect(readersOf(secretId)).toEqual(functionNames.filter(callsXRoad));
    expect(functionNames.filter(callsXRoad).length).toBeGreaterThan(0);
  });
});

describe("the hub's TLS toward the wellbeing services counties reached directly", () => {
  const secretId = logicalId(stack.countyTlsSecret);

  it('is a Secrets Manager secret under the stack key, JSON of the certificate and its key (and a ca-<county> per county), filled by the operator', () => {
    const { Properties } = resource(secretId);
    expect(Properties).toMatchObject({ KmsKeyId: keyArn });
    expect(Properties).not.toHaveProperty('SecretString');
    expect(JSON.parse((Properties!.GenerateSecretString as { SecretStringTemplate: string }).SecretStringTemplate)).toEqual({ certificate: '', privateKey: '' });
  });

  it('is read by the county adapter alone, which is told where it is', () => {
    expect(readersOf(secretId)).toEqual(['county-adapter']);
    const variables = (resource(functionId('county-adapter')).Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.KOTO_COUNTY_TLS_SECRET_ARN).toEqual({ Ref: secretId });
  });
});

describe('the VPC of the security server', () => {
  const groupId = logicalId(stack.xroadSecurityGroup);

  it('is given by parameters: the VPC and its private subnets', () => {
    expect(json.Parameters.VpcId?.Type).toBe('AWS::EC2::VPC::Id');
    expect(json.Parameters.PrivateSubnetIds?.Type).toBe('List<AWS::EC2::Subnet::Id>');
    expect(json.Parameters.XRoadSecurityServerCidr?.Type).toBe('String');
  });

  it.each(functionNames.filter(callsXRoad))('%s, which calls X-Road, runs in the parameter subnets with the X-Road security group', (name) => {
    expect(resource(functionId(name)).Properties?.VpcConfig).toEqual({
      SubnetIds: [{ 'Fn::Select': [0, { Ref: 'PrivateSubnetIds' }] }, { 'Fn::Select': [1, { Ref: 'PrivateSubnetIds' }] }],
      SecurityGroupIds: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }],
    });
    // Lambda makes the function's network interfaces with its role.
    expect(statementsOf(roleId(name)).flatMap(actions)).toEqual(expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces']));
  });

  it.each(functionNames.filter((name) => !callsXRoad(name)))('%s, which does not call X-Road, is not in the VPC', (name) => {
    expect(resource(functionId(name)).Properties).not.toHaveProperty('VpcConfig');
    expect(statementsOf(roleId(name)).flatMap(actions).filter((action) => action.startsWith('ec2:'))).toEqual([]);
  });

  it('lets the callers out to the security server and to the AWS services on 443 only, and nothing in', () => {
    const { Properties } = resource(groupId);
    expect(Properties?.VpcId).toEqual({ Ref: 'VpcId' });
    expect(Properties).not.toHaveProperty('SecurityGroupIngress');
    // A rule whose port is a parameter is a resource of its own; the others are in the group.
    const separate = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::EC2::SecurityGroupEgress' && JSON.stringify(r.Properties?.GroupId).includes(`"${groupId}"`))
      .map((r) => r.Properties);
    const egress = [...((Properties?.SecurityGroupEgress as unknown[]) ?? []), ...separate].map((rule) => {
      const { CidrIp, IpProtocol, FromPort, ToPort } = rule as Record<string, unknown>;
      return { CidrIp, IpProtocol, FromPort, ToPort };
    });
    expect(egress).toEqual(
      expect.arrayContaining([
        { CidrIp: { Ref: 'XRoadSecurityServerCidr' }, IpProtocol: 'tcp', FromPort: { Ref: 'XRoadSecurityServerPort' }, ToPort: { Ref: 'XRoadSecurityServerPort' } },
        { CidrIp: { Ref: 'AwsServicesCidr' }, IpProtocol: 'tcp', FromPort: 443, ToPort: 443 },
      ]),
    );
    expect(egress).toHaveLength(2);
    const ingress = Object.values(json.Resources).filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress');
    expect(ingress).toEqual([]);
  });
});
