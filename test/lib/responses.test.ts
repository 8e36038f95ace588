/** The result helpers; `errorResponse` is tested with the catalogue in errors.test.ts. */
import { describe, expect, it } from 'vitest';
import { pageSecurityPolicy } from '../../src/lib/pages';
import { json, noContent, page, redirect } from '../../src/lib/responses';

const cookie = { name: 'fnauth', value: 'v' };

describe('result helpers', () => {
  it('json: 200 with a JSON body, or the status, headers and cookies given', () => {
    expect(json({ a: 1 })).toEqual({ status: 200, jsonBody: { a: 1 } });
    expect(json({ a: 1 }, { status: 503, headers: { 'Retry-After': '5' }, cookies: [cookie] })).toEqual({
      status: 503,
      jsonBody: { a: 1 },
      headers: { 'Retry-After': '5' },
      cookies: [cookie],
    });
  });

  it('page: HTML under the pages’ security policy, or another one', () => {
    expect(page('<p>x</p>')).toEqual({
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': pageSecurityPolicy({}) },
      body: '<p>x</p>',
    });
    expect(page('', { securityPolicy: "default-src 'none'" }).headers).toMatchObject({ 'Content-Security-Policy': "default-src 'none'" });
  });

  it('redirect: 302, or 303 after a form post, with cookies when there are any', () => {
    expect(redirect('/api/home')).toEqual({ status: 302, headers: { Location: '/api/home' } });
    expect(redirect('/api/home', { status: 303, cookies: [cookie] })).toEqual({ status: 303, headers: { Location: '/api/home' }, cookies: [cookie] });
    expect(redirect('/api/home', { cookies: [] })).not.toHaveProperty('cookies');
  });

  it('noContent: 204', () => {
    expect(noContent({ cookies: [cookie] })).toEqual({ status: 204, cookies: [cookie] });
  });
});
