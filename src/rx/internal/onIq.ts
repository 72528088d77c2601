import type * as Extension from '../../Extension.js'

/**
 * Compiles only for extensions that may appear in an iq (`DiscoInfo`, `DataForm`), so
 * `rx.query(Delay, …)` is a type error; an intersection keeps `K` and `A` inferable.
 */
export type OnIq<K extends Extension.Kind> = 'iq' extends K
  ? unknown
  : { readonly 'extension that may appear in an iq': never }

/** The extension's getters applied to an iq: safe once `OnIq<K>` holds. */
export const asIqExtension = <K extends Extension.Kind, A>(
  ext: Extension.Extension<K, A>,
): Extension.Extension<'iq', A> => ext as unknown as Extension.Extension<'iq', A>
