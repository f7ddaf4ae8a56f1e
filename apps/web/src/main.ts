/** Entry point: styles, translations, router, mount. */
import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n/i18n.ts';
import { router } from './router.ts';
import './styles/main.css';

createApp(App).use(i18n).use(router).mount('#app');
