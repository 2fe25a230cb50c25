/**
 * The Jupyter kernel `npm run kernel:install` registers: tslab's own kernel with one addition.
 * Before each execution it publishes `execute_input` — the code and its execution count — on
 * the iopub channel, as IPython's kernel does. tslab sends the count only in its
 * `execute_reply`, which nbclient (`jupyter nbconvert --execute`) and JupyterLab do not use
 * for the prompt, so every cell showed `In [ ]:` and executed notebooks kept
 * `execution_count: null`.
 *
 *   node tslab-kernel.js kernel --config-path {connection_file}     (tslab's own command line)
 */
import { ZmqServer } from 'tslab/dist/jupyter';
import { main } from 'tslab/dist/main';

/** The parts of tslab's ZmqServer and its messages this patch uses (tslab 1.0.x). */
interface KernelMessage {
  content: { code?: string };
  createReply(): KernelMessage & { header: { msg_type: string }; signAndSend(key: string, sock: unknown): void };
}
interface ZmqServerInternals {
  handler: { execCount: number };
  connInfo: { key: string };
  iopub: unknown;
  handleExecute(sock: unknown, msg: KernelMessage): Promise<void>;
}

const proto = ZmqServer.prototype as unknown as ZmqServerInternals;
const handleExecute = proto.handleExecute;
proto.handleExecute = async function (this: ZmqServerInternals, sock: unknown, msg: KernelMessage): Promise<void> {
  // Requests run one at a time (the server awaits each), so the next count is the current one + 1.
  const input = msg.createReply();
  input.header.msg_type = 'execute_input';
  input.content = { code: msg.content.code ?? '', execution_count: this.handler.execCount + 1 } as { code: string };
  input.signAndSend(this.connInfo.key, this.iopub);
  return handleExecute.call(this, sock, msg);
};

main();
