import 'reflect-metadata';
import { loadConfigOrExit, loadTranscoderConfig } from '@e2gate/config';
import { installCrashHandlers } from '@e2gate/observability';
import { startTranscoderApp } from './transcoder.app.js';

const config = loadConfigOrExit(loadTranscoderConfig, 'transcoder');
installCrashHandlers({ service: 'transcoder', dataDir: config.dataDir });
await startTranscoderApp(config);
