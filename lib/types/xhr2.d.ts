// xhr2 ships no types. It exports its XMLHttpRequest class as the module itself.
declare module 'xhr2' {
  const XMLHttpRequest: { new (): XMLHttpRequest };
  export = XMLHttpRequest;
}
