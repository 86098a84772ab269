import 'reflect-metadata';
import { loadConfigOrExit, loadTranscoderConfig } from '@e2gate/config';
import { startTranscoderApp } from './transcoder.app.js';

await startTranscoderApp(loadConfigOrExit(loadTranscoderConfig, 'transcoder'));
