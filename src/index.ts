export * as Xml from './Xml.js'
