import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

/** Ids of one form's fields: `field("name")` is unique on the page and stable across renders. */
export function useFieldIds(): (suffix: string) => string {
  const id = useId();
  return (suffix) => `${id}-${suffix}`;
}

/** Attributes of a {@link TextField}'s input, passed through as given. */
export type TextInputOptions = {
  /** Needs a value to submit. */
  required?: boolean;
  /** Longest value accepted. */
  maxLength?: number;
  /** Browser autofill (`off`, `new-password`). */
  autocomplete?: string;
  /** Spell-check the value. */
  spellcheck?: boolean;
  /** Example shown while empty. */
  placeholder?: string;
  /** Ask password managers (1Password, LastPass, Bitwarden, Dashlane) not to offer or save it. */
  noPasswordManager?: boolean;
} & (
  | { /** Input type. @default text */ type?: undefined }
  | { /** Input type. */ type: "password" | "datetime-local" }
  | {
      /** Input type. */
      type: "number";
      /** Smallest number. */
      min?: number;
      /** Number step. */
      step?: number;
      /** On-screen keyboard to offer. */
      inputMode?: "numeric";
    }
);

/** The opt-outs password managers honour (autocomplete="off" alone is ignored for passwords). */
const PASSWORD_MANAGER_IGNORE = {
  "data-1p-ignore": "true",
  "data-lpignore": "true",
  "data-bwignore": "true",
  "data-form-type": "other",
} as const;

/**
 * A labelled input. A hint, when given, is shown under it (id `<id>-hint`) and describes it to
 * screen readers.
 */
export function TextField({
  id,
  label,
  value,
  onValue,
  hint,
  noPasswordManager,
  ...input
}: TextInputOptions & {
  /** Input id, which the label points to. */
  id: string;
  /** Label text. */
  label: ComponentChildren;
  /** Current value. */
  value: string;
  /** Called with the value on every input. */
  onValue: (value: string) => void;
  /** Help shown under the input. */
  hint?: ComponentChildren;
}) {
  const hintId = `${id}-hint`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        {...input}
        {...(noPasswordManager ? PASSWORD_MANAGER_IGNORE : {})}
        aria-describedby={hint === undefined ? undefined : hintId}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
      />
      {hint === undefined ? null : (
        <span id={hintId} class="hint">
          {hint}
        </span>
      )}
    </div>
  );
}

/**
 * A secret value typed in (a new value, an API token): masked, required, never autofilled with a
 * saved password, never offered to a password manager to save, never sent to a spell checker.
 */
export function SecretValueField(props: {
  /** Input id, which the label points to. */
  id: string;
  /** Label text. */
  label: ComponentChildren;
  /** Current value. */
  value: string;
  /** Called with the value on every input. */
  onValue: (value: string) => void;
  /** Autofill hint. @default "off" */
  autocomplete?: "off";
  /** Help shown under the input. */
  hint?: ComponentChildren;
}) {
  return <TextField autocomplete="off" {...props} type="password" required spellcheck={false} noPasswordManager />;
}

/** One choice of a {@link SelectField}: a value shown as itself, or a value with its own label. */
export type SelectOption = string | { value: string; label: string };

/** A labelled select: an optional empty choice first (value `""`), then the options. */
export function SelectField({
  id,
  label,
  value,
  onValue,
  options,
  emptyOption,
}: {
  /** Select id, which the label points to. */
  id: string;
  /** Label text. */
  label: ComponentChildren;
  /** Current value. */
  value: string;
  /** Called with the chosen value. */
  onValue: (value: string) => void;
  /** The choices, in order. */
  options: readonly SelectOption[];
  /** Label of a first choice with the value `""` (`Any scope`, `Default provider`). */
  emptyOption?: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onValue(e.currentTarget.value)}>
        {emptyOption === undefined ? null : <option value="">{emptyOption}</option>}
        {options.map((option) => {
          const { value: optionValue, label: optionLabel } =
            typeof option === "string" ? { value: option, label: option } : option;
          return (
            <option key={optionValue} value={optionValue}>
              {optionLabel}
            </option>
          );
        })}
      </select>
    </div>
  );
}

/**
 * A generator's format and literal prefix side by side: what the rotate dialog generates with,
 * and the rotation hints a secret stores.
 */
export function GeneratorFields(props: {
  /** Builds the field ids (from {@link useFieldIds}). */
  field: (suffix: string) => string;
  /** Labels of the two fields. */
  labels: { format: string; prefix: string };
  /** Chosen format (`""`: the empty choice). */
  format: string;
  /** Called with the chosen format. */
  onFormat: (value: string) => void;
  /** Label of the empty format choice. */
  emptyFormat: ComponentChildren;
  /** The formats offered. */
  formats: readonly SelectOption[];
  /** Prefix text. */
  prefix: string;
  /** Called with the prefix text. */
  onPrefix: (value: string) => void;
}) {
  return (
    <div class="field-row">
      <SelectField
        id={props.field("format")}
        label={props.labels.format}
        value={props.format}
        onValue={props.onFormat}
        emptyOption={props.emptyFormat}
        options={props.formats}
      />
      <TextField
        id={props.field("prefix")}
        label={props.labels.prefix}
        maxLength={64}
        autocomplete="off"
        spellcheck={false}
        value={props.prefix}
        onValue={props.onPrefix}
      />
    </div>
  );
}

/** A checkbox (or one radio button of a group) with its label after it. */
export function CheckField({
  id,
  label,
  checked,
  onChecked,
  radioGroup,
}: {
  /** Input id, which the label points to. */
  id: string;
  /** Label text. */
  label: ComponentChildren;
  /** Checked now. */
  checked: boolean;
  /** Called with the new state when it changes (a radio button only reports being chosen). */
  onChecked: (checked: boolean) => void;
  /** Makes it a radio button of the group with this name. */
  radioGroup?: string;
}) {
  return (
    <div class="field checkbox">
      <input
        type={radioGroup === undefined ? "checkbox" : "radio"}
        id={id}
        name={radioGroup}
        checked={checked}
        onChange={(e) => onChecked(e.currentTarget.checked)}
      />
      <label for={id}>{label}</label>
    </div>
  );
}

/** A form's buttons: the primary submit (disabled and relabelled while busy), then an optional cancel. */
export function FormActions({
  submitLabel,
  busy,
  busyLabel,
  cancelLabel = "Cancel",
  onCancel,
}: {
  /** Text of the submit button. */
  submitLabel: ComponentChildren;
  /** The submitted action is running. @default false */
  busy?: boolean;
  /** Text of the submit button while busy. */
  busyLabel?: ComponentChildren;
  /** Text of the cancel button. @default "Cancel" */
  cancelLabel?: ComponentChildren;
  /** What cancel does; without it there is no cancel button. */
  onCancel?: () => void;
}) {
  return (
    <div class="actions">
      <button type="submit" class="primary" disabled={busy}>
        {busy ? busyLabel : submitLabel}
      </button>
      {onCancel ? (
        <button type="button" onClick={onCancel}>
          {cancelLabel}
        </button>
      ) : null}
    </div>
  );
}
