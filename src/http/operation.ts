/** The shape of an operation in src/generated/api.ts, as read from Twilio's OpenAPI documents. */
export interface ParamSpec {
  readonly name: string;
  readonly in: string;
  readonly required: boolean;
  readonly type?: string;
  readonly enum?: readonly string[];
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: ParamSpec;
}

export interface OperationSpec {
  readonly method: string;
  readonly path: string;
  readonly operationId: string;
  readonly params: readonly ParamSpec[];
  readonly status: number;
  readonly response: object | null;
}

/** A parameter's value as readParams hands it over: arrays repeat, integers and booleans are parsed. */
type ValueOf<P> = P extends { type: 'array' }
  ? string[]
  : P extends { type: 'integer' }
    ? number
    : P extends { type: 'boolean' }
      ? boolean
      : P extends { enum: readonly (infer E)[] }
        ? E
        : string;

/** Where an operation's parameters come from: the form body of a POST, else the query string. */
export type ParamPlace<O extends OperationSpec> = O['method'] extends 'POST' ? 'body' : 'query';

/**
 * An operation's query or body parameters, typed from the spec (src/generated/api.ts is `as
 * const`): Twilio's wire names, required ones present, the others optional.
 */
export type ParamsOf<O extends OperationSpec, In extends string = ParamPlace<O>> = {
  [P in O['params'][number] as P extends { in: In; required: true } ? P['name'] : never]: ValueOf<P>;
} & {
  [P in O['params'][number] as P extends { in: In; required: false } ? P['name'] : never]?: ValueOf<P>;
};

type PathNames<S extends string> = S extends `${string}{${infer N}}${infer Rest}` ? N | PathNames<Rest> : never;

/** An operation's path parameters by name (`{Sid}` → `Sid`). */
export type PathOf<O extends OperationSpec> = { [K in PathNames<O['path']>]: string };
