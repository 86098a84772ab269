/** Injection token of the app's validated config object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
