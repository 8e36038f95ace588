/**
 * The app's own pages: plain HTML in one shared layout, with one
 * stylesheet served by the app, no script, every value escaped.
 */
export { renderHomePage, displayName, type SignedInHome } from './home';
export { renderErrorPage, type ErrorPage } from './error';
export { renderFrontChannelPage, renderSignOutConfirmation } from './sign-out';
export { frameablePolicy, htmlPage, pageSecurityPolicy, renderPage, type Frame } from './layout';
export { stylesheetHref, stylesheetResponse } from './stylesheet';
