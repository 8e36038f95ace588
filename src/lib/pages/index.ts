/**
 * The app's own pages: plain HTML in one shared layout, with one
 * stylesheet served by the app, no script, every value escaped.
 *
 * A page of your own gets the same frame:
 *
 * @example
 * ```ts
 * return page(renderPage({ appName: runtime.config.appName, user: name }, { page: 'account', title: 'Your account', main: html`<h1>Hello, ${name}</h1>` }));
 * ```
 */
export { renderHomePage, displayName, type SignedInHome } from './home';
export { renderErrorPage, type ErrorPage } from './error';
export { renderFrontChannelPage, renderSignOutConfirmation } from './sign-out';
export { frameablePolicy, pageSecurityPolicy, renderPage, type Frame } from './layout';
export { stylesheetHref, stylesheetResponse } from './stylesheet';
export { html, type Html } from './html';
