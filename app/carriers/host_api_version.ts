/**
 * Version of the plugin contract this hub implements. A package installs only when its
 * manifest's hostApi range accepts it; bump the minor for additions, the major for breaks.
 */
export const HOST_API_VERSION = '1.0.0'
