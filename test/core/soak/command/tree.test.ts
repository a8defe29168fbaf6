// A soaked command's tree is the shim's descendants: an orphan the command
// left is in it (reparented to the shim), though no longer the command's.
import { describe, expect, it } from 'vitest';
import { descendantsOf } from '../../../../src/core/procfs/capture.js';
import { CommandServer } from '../../../../src/core/soak/command/server.js';
import { treeOf, treePids } from '../../../../src/core/soak/command/tree.js';
import { until } from '../../../helpers.js';

describe('command tree', () => {
  it('holds the command, its children and the orphans it left; the command comes first', async () => {
    const server = new CommandServer();
    try {
      // The subshell forks a sleep and exits: that sleep is an orphan of the command, reparented to the shim.
      const c = await server.spawn(['sh', '-c', '(sleep 30 &); sleep 30'], {});
      expect(await until(() => treePids(c.shim!).length === 3, 5000)).toBe(true);
      const pids = treePids(c.shim!);
      expect(pids[0]).toBe(c.pid);
      const orphans = pids.filter((p) => !descendantsOf(c.pid!).some((d) => d.pid === p) && p !== c.pid);
      expect(orphans).toHaveLength(1);
      const tree = treeOf(c.shim, c.pid!, ['sh', '-c', 'x']);
      expect(tree.map((p) => p.pid).sort()).toEqual([...pids].sort());
      expect(tree[0]).toMatchObject({ pid: c.pid, cmdline: 'sh -c x' });
      expect(tree.find((p) => p.pid === orphans[0])).toMatchObject({ comm: 'sleep', ppid: c.shim });
      c.kill();
      await c.exit;
      expect(treePids(c.shim!)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
