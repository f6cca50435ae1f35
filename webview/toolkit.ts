/**
 * The page's controls: native elements styled with VS Code's theme variables (media/explorer.css),
 * since @vscode/webview-ui-toolkit was deprecated and archived in January 2025. The rest of the
 * page asks for a button, a checkbox or a dropdown here and never sees which elements they are.
 */

export interface Control extends HTMLElement {
  disabled: boolean;
}

export function button(label: string, onClick: () => void, options: { secondary?: boolean; title?: string } = {}): Control {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = options.secondary ? 'control secondary' : 'control';
  element.textContent = label;
  if (options.title) element.title = options.title;
  element.addEventListener('click', () => {
    if (!element.disabled) onClick();
  });
  return element;
}

export interface CheckboxControl extends Control {
  checked: boolean;
}

/** A labelled checkbox: the label is the control (clicking the text toggles it), its input holds the state. */
export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): CheckboxControl {
  const element = document.createElement('label');
  element.className = 'checkbox';
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.checked = checked;
  element.append(input, label);
  input.addEventListener('change', () => onChange(input.checked));
  return Object.defineProperties(element, {
    checked: { get: () => input.checked, set: (value: boolean) => (input.checked = value) },
    disabled: { get: () => input.disabled, set: (value: boolean) => (input.disabled = value) },
  }) as unknown as CheckboxControl;
}

export interface DropdownControl extends Control {
  value: string;
}

export function dropdown(options: Array<{ value: string; label: string }>, selected: string | undefined, onChange: (value: string) => void): DropdownControl {
  const element = document.createElement('select');
  element.className = 'control';
  for (const option of options) element.appendChild(new Option(option.label, option.value, false, option.value === selected));
  if (selected !== undefined) element.value = selected;
  element.addEventListener('change', () => onChange(element.value));
  return element;
}

export function progressRing(): HTMLElement {
  const element = document.createElement('span');
  element.className = 'spinner';
  element.setAttribute('role', 'progressbar');
  return element;
}
