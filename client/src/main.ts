import { mount } from 'svelte';
import App from './App.svelte';
import { i18n } from './lib/i18n.svelte.js';
import './app.css';

document.documentElement.lang = i18n.lang;
mount(App, { target: document.getElementById('app')! });
