/**
 * Argument parsing for the commands: node's `util.parseArgs`, strict, with its errors turned into
 * one-line usage errors. An error names the option, never echoes a value (a value can be a HETU).
 */
import { parseArgs } from 'node:util';
import { scrubText } from '#lib/pii';
import { UsageError } from '#cli/connection';

type OptionSpec = { readonly type: 'boolean' } | { readonly type: 'string' };

export interface Parsed<O extends Record<string, OptionSpec>> {
  readonly positionals: string[];
  readonly options: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  readonly help: boolean;
}

export const parseCommandArgs = <O extends Record<string, OptionSpec>>(args: readonly string[], options: O): Parsed<O> => {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    const { help, ...rest } = values as Record<string, unknown>;
    return { positionals, options: rest as Parsed<O>['options'], help: help === true };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const option = /'(--?[A-Za-z][\w-]*)/.exec(error instanceof Error ? error.message : '')?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${scrubText(option ?? '')}`.trim());
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(option && options[option.replace(/^-+/, '')]?.type === 'boolean' ? `${option} takes no value` : `${option ?? 'an option'} needs a value`);
    }
    throw new UsageError('could not read the arguments');
  }
};

/** A whole number within bounds, or a usage error naming the option. */
export const integerOption = (value: string | undefined, name: string, fallback: number, min: number, max: number): number => {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
};

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rejects positionals beyond the expected ones without echoing them. */
export const noMorePositionals = (positionals: readonly string[], expected: number): void => {
  if (positionals.length > expected) throw new UsageError(`too many arguments (${positionals.length - expected} more than expected)`);
};
