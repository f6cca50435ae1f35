/**
 * The only module that knows about @vscode/webview-ui-toolkit: the rest of the page asks for a
 * button, a checkbox or a dropdown here, so moving to the toolkit's successor is a change to this file.
 */
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDropdown, vsCodeOption, vsCodeProgressRing } from '@vscode/webview-ui-toolkit';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption(), vsCodeProgressRing());

export interface Control extends HTMLElement {
  disabled: boolean;
}

export function button(label: string, onClick: () => void, options: { secondary?: boolean; title?: string } = {}): Control {
  const element = document.createElement('vscode-button') as Control;
  element.textContent = label;
  if (options.secondary) element.setAttribute('appearance', 'secondary');
  if (options.title) element.title = options.title;
  element.addEventListener('click', () => {
    if (!element.disabled) onClick();
  });
  return element;
}

export interface CheckboxControl extends Control {
  checked: boolean;
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): CheckboxControl {
  const element = document.createElement('vscode-checkbox') as CheckboxControl;
  element.textContent = label;
  element.checked = checked;
  element.addEventListener('change', () => onChange(element.checked));
  return element;
}

export interface DropdownControl extends Control {
  value: string;
}

export function dropdown(options: Array<{ value: string; label: string }>, selected: string | undefined, onChange: (value: string) => void): DropdownControl {
  const element = document.createElement('vscode-dropdown') as DropdownControl;
  for (const option of options) {
    const item = document.createElement('vscode-option') as HTMLElement & { value: string; selected: boolean };
    item.value = option.value;
    item.textContent = option.label;
    item.selected = option.value === selected;
    element.appendChild(item);
  }
  if (selected !== undefined) element.value = selected;
  element.addEventListener('change', () => onChange(element.value));
  return element;
}

export function progressRing(): HTMLElement {
  return document.createElement('vscode-progress-ring');
}
