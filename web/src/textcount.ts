// textcount.ts - a reply's length in its platform's unit, counted exactly as the server counts
// it (channels/chan_text.c): X's weighted characters (Latin and common punctuation 1, other
// scripts and emoji 2, a link 23), characters (code points) elsewhere; SMS also in segments.

export interface ReplyLimit {
  max: number;
  unit: 'chars' | 'x_weighted';
}

const light = (cp: number) => cp <= 4351 || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247);

export function textLength(text: string, unit: ReplyLimit['unit']): number {
  if (unit !== 'x_weighted') return [...text].length;
  let n = 0;
  let wordStart = true;
  const cps = [...text];
  for (let i = 0; i < cps.length; ) {
    if (wordStart && /^https?:\/\/\S/.test(cps.slice(i, i + 9).join(''))) {
      n += 23;
      while (i < cps.length && !/[ \n\t\r]/.test(cps[i]!)) i++;
      continue;
    }
    const c = cps[i]!;
    wordStart = /[ \n\t\r]/.test(c);
    n += light(c.codePointAt(0)!) ? 1 : 2;
    i++;
  }
  return n;
}

// GSM 03.38 basic set (and its extension, which costs two); anything else makes the message
// UCS-2: 70 characters in one SMS, 67 per part when split (153 for GSM-7).
const GSM = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXT = '^{}\\[~]|€';

export function smsSegments(text: string): number {
  if (!text) return 0;
  let gsm = true;
  let units = 0;
  for (const c of text) {
    if (GSM.includes(c)) units += 1;
    else if (GSM_EXT.includes(c)) units += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (!gsm) {
    units = 0;
    for (const c of text) units += c.codePointAt(0)! > 0xffff ? 2 : 1;
    return units <= 70 ? 1 : Math.ceil(units / 67);
  }
  return units <= 160 ? 1 : Math.ceil(units / 153);
}
