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
