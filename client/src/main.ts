import { mount } from 'svelte';
import App from './App.svelte';
import { i18n } from './lib/i18n.svelte.js';
import './app.css';

document.documentElement.lang = i18n.lang;
mount(App, { target: document.getElementById('app')! });

// For the kernel bench (npm run bench): runs the WASM/JS/canvas comparison in a worker.
(window as unknown as Record<string, unknown>).thinlineKernelBench = async (dw: number, dh: number, iterations: number) =>
  (await import('./features/media/scaler.js')).benchmarkKernels(dw, dh, iterations);
