import { describe, expect, it } from 'vitest';
import { Correlator, settleEngineResult } from './correlator';
import { AppError } from './errors';

describe('the correlator of requests and answers', () => {
  it('settles each request by its id, in whatever order the answers come, and drops unknown or repeated ids', async () => {
    const calls = new Correlator<string>();
    const sent: number[] = [];
    const first = calls.ask((id) => sent.push(id));
    const second = calls.ask((id) => sent.push(id));
    expect(sent).toEqual([1, 2]);
    expect(calls.openCount).toBe(2);
    calls.answer(2, 'two');
    calls.answer(2, 'again');
    calls.answer(99, 'nobody');
    calls.answer(1, 'one');
    expect(await Promise.all([first, second])).toEqual(['one', 'two']);
    expect(calls.openCount).toBe(0);
  });

  it('fails one request, or every open one when the other side goes away, and a send that throws', async () => {
    const calls = new Correlator();
    const one = calls.ask(() => undefined);
    const two = calls.ask(() => undefined);
    const three = calls.ask(() => undefined);
    calls.fail(1, new Error('bad'));
    calls.failAll(new Error('gone'));
    await expect(one).rejects.toThrow('bad');
    await expect(two).rejects.toThrow('gone');
    await expect(three).rejects.toThrow('gone');
    await expect(
      calls.ask(() => {
        throw new Error('closed channel');
      }),
    ).rejects.toThrow('closed channel');
    expect(calls.openCount).toBe(0);
  });

  it('takes an id from the caller, answers every open request with one value, and forgets on purpose', async () => {
    const calls = new Correlator<number>();
    const given = calls.ask(() => undefined, 41);
    const other = calls.ask(() => undefined);
    calls.answerAll(7);
    expect(await Promise.all([given, other])).toEqual([7, 7]);
    void calls.ask(() => undefined);
    calls.forget();
    expect(calls.openCount).toBe(0);
  });

  it("settles an engine call's result as its value, or its error as an AppError", async () => {
    const calls = new Correlator();
    const ok = calls.ask(() => undefined);
    const failed = calls.ask(() => undefined);
    settleEngineResult(calls, 1, { ok: true, value: 5 });
    settleEngineResult(calls, 2, { ok: false, error: { code: 'config', message: 'Setting "x" is wrong.' } });
    expect(await ok).toBe(5);
    await expect(failed).rejects.toBeInstanceOf(AppError);
  });
});
