import { render } from 'preact';
import { App } from './app.js';
import { language } from './lib/i18n.js';

document.documentElement.lang = language();
render(<App />, document.getElementById('app') as HTMLElement);
