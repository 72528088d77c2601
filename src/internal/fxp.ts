/**
 * fast-xml-parser's options, pinned in one place (docs/security.md §1 stage 3): its defaults coerce
 * numbers, trim text, drop attributes and expand entities, each of which corrupts XMPP. Shared by
 * `Xml` and the benchmarks, which measure fxp with exactly what ships. `maxNestedTags` is set per
 * parser from the depth limit in force (`Xml`).
 */
import type { X2jOptions } from 'fast-xml-parser'
import { quote } from './chars.js'

export const fxpOptions: X2jOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  allowBooleanAttributes: false,
  unpairedTags: [],
  stopNodes: [],
  removeNSPrefix: false,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
  jPath: false,
  onDangerousProperty: (name: string) => {
    throw new Error(`unprocessable name ${quote(name)}`)
  },
} as X2jOptions
