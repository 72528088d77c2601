/**
 * Reporting an exception thrown by user code we call back (a `send` callback, a `serve`
 * `onError`) without letting it disturb the caller: the same path RxJS uses for errors nobody
 * handles. If `config.onUnhandledError` (rxjs) is set it receives the exception, on a later
 * macrotask; otherwise the exception is rethrown from a `setTimeout`, an uncaught exception
 * like any unhandled error in an RxJS subscriber. Tests set `config.onUnhandledError`.
 *
 * Not exported from `stanzakit/rx`.
 */
import { config } from 'rxjs'

export const reportLater = (e: unknown): void => {
  setTimeout(() => {
    const handler = config.onUnhandledError
    if (handler !== null) handler(e)
    else throw e
  })
}
