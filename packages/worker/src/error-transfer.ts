// Errors that cross the worker boundary keep their `name` and `code`. Comlink's default handler
// keeps only name, message and stack, so a tab could not tell a quota error from any other.
import * as Comlink from 'comlink'

/** The serialized form of a thrown value. */
interface SerializedThrow {
  isError: boolean
  value: { name?: string; message?: string; stack?: string; code?: unknown } | unknown
}

/** An error rebuilt in the receiving thread, with the sender's `name` and `code`. */
export class RemoteError extends Error {
  readonly code: string | undefined
  constructor(name: string, message: string, code: string | undefined, stack?: string) {
    super(message)
    this.name = name
    this.code = code
    if (stack !== undefined) this.stack = stack
  }
}

function codeOf(error: Error): { code?: string } {
  const code: unknown = Reflect.get(error, 'code')
  return typeof code === 'string' ? { code } : {}
}

let installed = false

/** Installs the handler (idempotent). Both the host and the client call it. */
export function installErrorTransfer(): void {
  if (installed) return
  installed = true
  // Comlink does not export its throw marker; its own handler still recognises thrown values.
  const original = Comlink.transferHandlers.get('throw')
  if (original === undefined) return
  Comlink.transferHandlers.set('throw', {
    canHandle: (value: unknown): value is { value: unknown } => original.canHandle(value),
    serialize: ({ value }: { value: unknown }) => {
      const serialized: SerializedThrow =
        value instanceof Error
          ? {
              isError: true,
              value: {
                name: value.name,
                message: value.message,
                ...(value.stack !== undefined ? { stack: value.stack } : {}),
                ...codeOf(value),
              },
            }
          : { isError: false, value }
      return [serialized, []]
    },
    deserialize: (serialized: unknown) => {
      const s = serialized as SerializedThrow
      if (!s.isError) throw s.value
      const v = s.value as { name?: string; message?: string; stack?: string; code?: unknown }
      throw new RemoteError(
        v.name ?? 'Error',
        v.message ?? '',
        typeof v.code === 'string' ? v.code : undefined,
        v.stack,
      )
    },
  } as Comlink.TransferHandler<unknown, unknown>)
}
