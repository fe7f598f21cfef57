import { describe, expect, it } from 'vitest';
import { dynamoEngine } from '#infra/local/dynamodb';

describe('KOTO_DYNAMODB, the DynamoDB a runtime starts', () => {
  it('is dynalite unless it names DynamoDB Local', () => {
    expect(dynamoEngine({})).toBe('dynalite');
    expect(dynamoEngine({ KOTO_DYNAMODB: '' })).toBe('dynalite');
    expect(dynamoEngine({ KOTO_DYNAMODB: 'dynalite' })).toBe('dynalite');
    expect(dynamoEngine({ KOTO_DYNAMODB: 'dynamodb-local' })).toBe('dynamodb-local');
  });

  it('refuses a value it does not know, naming the variable and the choices', () => {
    expect(() => dynamoEngine({ KOTO_DYNAMODB: 'DynamoDBLocal' })).toThrow(
      "KOTO_DYNAMODB: unknown DynamoDB 'DynamoDBLocal', expected one of dynalite, dynamodb-local",
    );
  });
});
