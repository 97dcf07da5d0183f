/** Names of Object.prototype members: input keys that must never reach the prototype (issue 13, class 7). */
export const PROTOTYPE_NAMES = [
  'constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf',
  'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__',
];
