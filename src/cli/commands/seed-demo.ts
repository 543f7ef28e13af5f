import { DEMO_INSURER, DEMO_MEMBER, seedDemo } from '../../demo/seed.js';
import type { Command } from '../index.js';

export const seedDemoCommand: Command = {
  run(_args, ctx) {
    const { seeded } = seedDemo(ctx);
    ctx.out(seeded ? `demo data created: insurer ${DEMO_INSURER.code} (${DEMO_INSURER.name})` : `demo insurer ${DEMO_INSURER.code} already exists; nothing changed`);
    ctx.out(`try: 記号 ${DEMO_MEMBER.symbol} 番号 ${DEMO_MEMBER.number} 生年月日 ${DEMO_MEMBER.birthDate} 氏名カナ ${DEMO_MEMBER.nameKana}`);
  },
};
