import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import AppField from './AppField.vue';

describe('AppField', () => {
  it('names its input by the label and describes it by the hint, then the problem', () => {
    const wrapper = mount(AppField, {
      props: { id: 'modem-url', label: 'Modem URL', hint: 'Where the modem answers.', error: 'Enter a URL.', modelValue: '', type: 'url' },
    });
    const input = wrapper.get('input');
    expect(wrapper.get('label').attributes('for')).toBe('modem-url');
    expect(input.attributes('id')).toBe('modem-url');
    expect(input.attributes('type')).toBe('url');
    expect(input.attributes('aria-describedby')).toBe('modem-url-hint modem-url-error');
    expect(input.attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('#modem-url-hint').text()).toBe('Where the modem answers.');
    expect(wrapper.get('#modem-url-error').text()).toBe('Enter a URL.');
    // The attributes go to the input, not to the field around it.
    expect(wrapper.get('.field').attributes('type')).toBeUndefined();
  });

  it('is neither described nor invalid without a hint or a problem', () => {
    const wrapper = mount(AppField, { props: { id: 'modem-user', label: 'User name', modelValue: '' } });
    const input = wrapper.get('input');
    expect(input.attributes('aria-describedby')).toBeUndefined();
    expect(input.attributes('aria-invalid')).toBeUndefined();
    expect(wrapper.find('.field-hint').exists()).toBe(false);
    expect(wrapper.find('.field-error').exists()).toBe(false);
  });

  it('writes what is typed into its v-model', async () => {
    const value = ref<string | number | undefined>('');
    const onUpdate = (typed: string | number | undefined) => (value.value = typed);
    const wrapper = mount(
      defineComponent(
        () => () => h(AppField, { id: 'user', label: 'User name', modelValue: value.value, 'onUpdate:modelValue': onUpdate }),
      ),
    );
    await wrapper.get('input').setValue('admin');
    expect(value.value).toBe('admin');
  });

  it("gives a control of the slot's own the same ties to the label, the hint and the problem", () => {
    const wrapper = mount(AppField, {
      props: { id: 'modem-type', label: 'Modem type', error: 'Choose a modem type.' },
      slots: { default: `<template #default="{ control }"><select v-bind="control"><option>a</option></select></template>` },
    });
    const select = wrapper.get('select');
    expect(wrapper.find('input').exists()).toBe(false);
    expect(select.attributes('id')).toBe('modem-type');
    expect(select.attributes('aria-invalid')).toBe('true');
    expect(select.attributes('aria-describedby')).toBe('modem-type-error');
  });
});
