import { Text } from 'ink';
import { runFirst, useKeys } from '../app/keys.js';
import { useSyncState } from '../app/sync-state.js';

/** The state of a one-line text field: its text and where the cursor is. */
export interface Field {
  value: string;
  cursor: number;
}

export function editField(
  field: Field,
  input: string,
  key: {
    leftArrow: boolean;
    rightArrow: boolean;
    backspace: boolean;
    delete: boolean;
    home: boolean;
    end: boolean;
  },
): Field {
  const { value, cursor } = field;
  if (key.leftArrow) return { value, cursor: Math.max(0, cursor - 1) };
  if (key.rightArrow) return { value, cursor: Math.min(value.length, cursor + 1) };
  if (key.home) return { value, cursor: 0 };
  if (key.end) return { value, cursor: value.length };
  // Terminals send DEL for the backspace key; both erase the character before the cursor.
  if (key.backspace || key.delete)
    return cursor === 0
      ? field
      : { value: value.slice(0, cursor - 1) + value.slice(cursor), cursor: cursor - 1 };
  // Typed or pasted text; a paste's line breaks become spaces in a one-line field.
  const text = input.replace(/\r?\n|\r/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
  if (text === '') return field;
  return { value: value.slice(0, cursor) + text + value.slice(cursor), cursor: cursor + text.length };
}

/** A one-line text field; Enter submits. */
export function TextField({
  placeholder,
  onSubmit,
  isActive,
  initial = '',
  onChange,
}: {
  placeholder: string;
  onSubmit: (value: string) => void;
  isActive: boolean;
  /** Text to start with (a draft kept from before), the cursor at its end. */
  initial?: string;
  /** Told the text after each edit. */
  onChange?: (value: string) => void;
}) {
  const [field, setField, fieldNow] = useSyncState<Field>({ value: initial, cursor: initial.length });
  useKeys(
    (input, key) =>
      runFirst([
        [key.return, () => onSubmit(fieldNow.current.value)],
        [
          !key.ctrl && !key.escape && !key.upArrow && !key.downArrow && !key.tab,
          () => {
            const before = fieldNow.current.value;
            const next = editField(fieldNow.current, input, key);
            setField(next);
            if (next.value !== before) onChange?.(next.value);
          },
        ],
      ]),
    { isActive },
  );
  if (field.value === '')
    return (
      <Text>
        <Text inverse> </Text>
        <Text dimColor>{placeholder}</Text>
      </Text>
    );
  const { value, cursor } = field;
  return (
    <Text>
      {value.slice(0, cursor)}
      <Text inverse>{value[cursor] ?? ' '}</Text>
      {value.slice(cursor + 1)}
    </Text>
  );
}
