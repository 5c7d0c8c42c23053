// A dialog's problem in plain words, announced as it appears (the dialogs' shared error line).
export function ProblemNotice({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p className="notice notice-error" role="alert">
      {text}
    </p>
  );
}
