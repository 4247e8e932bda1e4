/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, loaded unbuilt by the test host */
// Test host only: the real debugpy adapter from Debian's python3-debugpy as debug type `debugpy`
// (users get it from the Python extension). An absolute interpreter: the `python3` on PATH may
// lack debugpy, and then the adapter exits silently.
const vscode = require('vscode');
const { existsSync } = require('fs');

exports.activate = (context) => {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('debugpy', {
      createDebugAdapterDescriptor: () =>
        new vscode.DebugAdapterExecutable(python, ['-m', 'debugpy.adapter']),
    }),
  );
};
exports.deactivate = () => {};
