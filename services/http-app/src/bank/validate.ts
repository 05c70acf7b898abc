/** The pay form's rules. A complaint means nothing is stored. */
export const MAX_DOLLARS = 1_000_000;
export const MAX_MEMO = 200;
export const MAX_ACCOUNT = 64;

export interface PayForm {
  account: string;
  dollars: string;
  memo: string;
}

export type PayCheck = { ok: true; dollars: number } | { ok: false; complaint: string };

export function checkPayment(form: PayForm): PayCheck {
  if (!form.account || !form.dollars || !form.memo)
    return { ok: false, complaint: 'Please fill in all three fields' };
  if (!/^\d{1,7}$/.test(form.dollars) || Number(form.dollars) < 1 || Number(form.dollars) > MAX_DOLLARS) {
    return { ok: false, complaint: `Dollars must be a whole number from 1 to ${MAX_DOLLARS}` };
  }
  if (form.account.length > MAX_ACCOUNT || /[\u0000-\u001f\u007f]/.test(form.account)) {
    return { ok: false, complaint: `The account must be at most ${MAX_ACCOUNT} printable characters` };
  }
  if (form.memo.length > MAX_MEMO)
    return { ok: false, complaint: `The memo must be at most ${MAX_MEMO} characters` };
  return { ok: true, dollars: Number(form.dollars) };
}
