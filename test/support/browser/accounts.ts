import type { Browser } from 'playwright-core';
import { DESKTOP, newJourneyContext, type Viewport } from './browser.js';
import { credentialsFor, signUp, type Credentials } from './flows.js';
import { addMembers, memberLikeDemo, type RegistryMember } from './members.js';
import type { RunningPortal } from '../real-server.js';

export type JourneyAccount = { member: RegistryMember; creds: Credentials };

/**
 * One fresh registry member per viewport, each signed up in a browser context of
 * its own, so every run starts from an account that has never logged in.
 */
export async function signedUpMembers(
  portal: RunningPortal,
  browser: Browser,
  viewports: Viewport[],
  tag: string,
): Promise<Map<string, JourneyAccount>> {
  const accounts = new Map<string, JourneyAccount>();
  for (const v of viewports) accounts.set(v.name, { member: memberLikeDemo(), creds: credentialsFor(`${tag}-${v.name}`) });
  await addMembers(portal, [...accounts.values()].map((a) => a.member));
  const context = await newJourneyContext(browser, DESKTOP, portal.baseUrl);
  const page = await context.newPage();
  for (const { member, creds } of accounts.values()) {
    await context.clearCookies();
    await signUp(page, portal, member, creds);
  }
  await context.close();
  return accounts;
}
