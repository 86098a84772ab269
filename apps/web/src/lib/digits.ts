import { useEffect, useState } from 'preact/hooks';

const WINDOW_MS = 1200;

/**
 * Digits typed outside a text field, as on a TV remote: `onNumber` gets the number once no digit followed for
 * 1.2 s (or four digits were typed). Returns what has been typed so far, for an on-screen hint.
 */
export function useChannelDigits(onNumber: (number: number) => void): string {
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!/^[0-9]$/.test(event.key) || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      event.preventDefault();
      setTyped((previous) => (previous + event.key).slice(-4));
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (typed === '') return;
    const timer = setTimeout(
      () => {
        onNumber(Number(typed));
        setTyped('');
      },
      typed.length >= 4 ? 0 : WINDOW_MS,
    );
    return () => clearTimeout(timer);
  }, [typed, onNumber]);
  return typed;
}
