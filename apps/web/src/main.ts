/** Entry point: styles, router, mount. */
import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router.ts';
import './styles/main.css';

createApp(App).use(router).mount('#app');
