import { Settings } from 'luxon'

/*
 * The hub stores and compares every timestamp in UTC, whatever the host's zone.
 */
Settings.defaultZone = 'utc'
Settings.throwOnInvalid = true

declare module 'luxon' {
  interface TSSettings {
    throwOnInvalid: true
  }
}
