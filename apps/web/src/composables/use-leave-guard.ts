/**
 * Asks before leaving a page with unsaved changes: in-app navigation gets a confirm dialog, and
 * closing or reloading the tab gets the browser's own "leave site?" prompt.
 */
import { onBeforeUnmount, onMounted, type Ref } from 'vue';
import { onBeforeRouteLeave } from 'vue-router';

/** Guards the current route while `dirty` is true; `message` is asked in the confirm dialog. */
export function useLeaveGuard(
  dirty: Readonly<Ref<boolean>>,
  message: () => string,
  confirm: (text: string) => boolean = (text) => window.confirm(text),
) {
  onBeforeRouteLeave(() => (dirty.value ? confirm(message()) : true));

  function onBeforeUnload(event: BeforeUnloadEvent): void {
    if (!dirty.value) return;
    event.preventDefault();
    // Older browsers need returnValue set to show the prompt.
    event.returnValue = '';
  }
  onMounted(() => window.addEventListener('beforeunload', onBeforeUnload));
  onBeforeUnmount(() => window.removeEventListener('beforeunload', onBeforeUnload));
}
