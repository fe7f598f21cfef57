import { describe, expect, it } from 'vitest';
import { matchRoute, type GetRoute } from '#infra/local/ingress-server';

const route = (name: string): GetRoute => async () => ({ status: 200, type: 'text/plain', body: name });
const routes = { '/': route('page'), '/api/trace/:id': route('trace'), '/api/trace/latest': route('latest') };

describe('matching a GET route', () => {
  it('takes an exact path first, else a pattern with its params decoded', async () => {
    expect(matchRoute(routes, '/')?.params).toEqual({});
    expect(await matchRoute(routes, '/api/trace/latest')!.route({})).toMatchObject({ body: 'latest' });
    expect(matchRoute(routes, '/api/trace/a%20b')).toMatchObject({ params: { id: 'a b' } });
  });

  it('matches no path with other segments, an empty param or a broken escape', () => {
    for (const path of ['/api/trace', '/api/trace/', '/api/trace/x/y', '/api/trace/%E0%A4%A', '/nothing']) expect(matchRoute(routes, path)).toBeUndefined();
  });
});
