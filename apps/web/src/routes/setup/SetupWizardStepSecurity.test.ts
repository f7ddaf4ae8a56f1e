import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import SetupWizardStepSecurity from './SetupWizardStepSecurity.vue';
import { emptySetupForm } from './setup-form.ts';
import { withI18n } from '@evidence-locker/web/testing/with-i18n';

describe('SetupWizardStepSecurity', () => {
  it('goes on without an admin password', async () => {
    const wrapper = mount(SetupWizardStepSecurity, { global: withI18n(), props: { form: emptySetupForm() } });
    await wrapper.get('form').trigger('submit');
    expect(wrapper.emitted('next')).toHaveLength(1);
  });

  it('stays and marks the confirmation when the two passwords differ', async () => {
    const form = { ...emptySetupForm(), adminPassword: 'long enough', adminPasswordConfirm: 'different!' };
    const wrapper = mount(SetupWizardStepSecurity, { global: withI18n(), props: { form } });
    await wrapper.get('form').trigger('submit');
    expect(wrapper.emitted('next')).toBeUndefined();
    const confirm = wrapper.get('#admin-password-confirm');
    expect(confirm.attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('#admin-password-confirm-error').text()).toBe('The two admin passwords differ.');
  });

  it('writes what is typed into the shared form', async () => {
    const form = emptySetupForm();
    const wrapper = mount(SetupWizardStepSecurity, {
      global: withI18n(),
      props: { form, 'onUpdate:form': (value: typeof form) => Object.assign(form, value) },
    });
    await wrapper.get('#admin-password').setValue('correct horse');
    expect(form.adminPassword).toBe('correct horse');
  });
});
