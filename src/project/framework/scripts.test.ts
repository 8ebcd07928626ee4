import { afterAll, describe, expect, it } from 'vitest';
import { detectFramework } from '../framework.js';
import { cleanup, codes, deps, detect, project } from './testing.js';

afterAll(cleanup);

describe('Gradio', () => {
  it('gr.Blocks().launch() -> python app.py on 7860, GRADIO_SERVER_NAME=0.0.0.0', async () => {
    const r = await detect(
      {
        'app.py':
          'import gradio as gr\n\nwith gr.Blocks() as demo:\n    gr.Markdown("hi")\n\ndemo.launch()\n',
      },
      deps('gradio'),
    );
    expect(r.framework).toBe('gradio');
    expect(r.command).toEqual(['python', 'app.py']);
    expect(r.port).toBe(7860);
    expect(r.env).toEqual({ GRADIO_SERVER_NAME: '0.0.0.0', GRADIO_SERVER_PORT: '7860' });
  });

  it('gr.Interface(...).launch(server_port=...) in a main guard: that port', async () => {
    const r = await detect(
      {
        'ui/demo.py':
          'import gradio as gr\n\ndef main():\n    iface = gr.Interface(fn=str, inputs="text", outputs="text")\n    iface.launch(server_name="0.0.0.0", server_port=8080)\n\nif __name__ == "__main__":\n    main()\n',
      },
      deps('gradio'),
    );
    expect(r.command).toEqual(['python', '-m', 'ui.demo']);
    expect(r.port).toBe(8080);
    expect(r.decisions.find((d) => d.topic === 'port')?.source).toEqual({ file: 'ui/demo.py', line: 5 });
    expect(codes(r)).toEqual([]);
  });

  it('launch(server_name="127.0.0.1") is a loopback bind: warned', async () => {
    const r = await detect(
      {
        'app.py':
          'import gradio as gr\ndemo = gr.Interface(fn=str, inputs="text", outputs="text")\ndemo.launch(server_name="127.0.0.1")\n',
      },
      deps('gradio'),
    );
    expect(codes(r)).toEqual(['loopback-bind']);
    expect(r.warnings[0]?.source).toEqual({ file: 'app.py', line: 3 });
  });
});

describe('Streamlit', () => {
  it('streamlit run the script, port from .streamlit/config.toml', async () => {
    const root = await project({
      'dashboard.py': 'import streamlit as st\nst.title("x")\n',
      '.streamlit/config.toml': '[server]\nport = 8080\nheadless = true\n',
    });
    const r = await detectFramework(root, '.', deps('streamlit'), { scripts: {} });
    expect(r.command).toEqual([
      'streamlit',
      'run',
      'dashboard.py',
      '--server.port',
      '8080',
      '--server.address',
      '0.0.0.0',
    ]);
    expect(r.healthcheckPath).toBe('/_stcore/health');
  });
});

describe('Tornado', () => {
  it('Application + listen(port) + IOLoop in a main guard -> python server.py, the listen port', async () => {
    const r = await detect(
      {
        'server.py':
          'import tornado.ioloop\nimport tornado.web\n\nclass Health(tornado.web.RequestHandler):\n    def get(self):\n        self.write("ok")\n\ndef make_app():\n    return tornado.web.Application([(r"/health", Health)])\n\napp = tornado.web.Application([(r"/", Health)])\n\nif __name__ == "__main__":\n    app.listen(9000)\n    tornado.ioloop.IOLoop.current().start()\n',
      },
      deps('tornado'),
    );
    expect(r.framework).toBe('tornado');
    expect(r.command).toEqual(['python', 'server.py']);
    expect(r.port).toBe(9000);
    expect(codes(r)).toEqual([]);
  });

  it('the port from tornado.options define(), a loopback address warned', async () => {
    const r = await detect(
      {
        'svc/__init__.py': '',
        'svc/main.py':
          'from tornado.options import define, options\nfrom tornado.web import Application\n\ndefine("port", default=8001, help="port")\n\nif __name__ == "__main__":\n    app = Application([])\n    app.listen(options.port, address="127.0.0.1")\n',
        'svc/other.py': 'from tornado.web import Application\napp = Application([])\n',
      },
      deps('tornado'),
    );
    // Only the module that listens is a server; an Application nobody starts is not.
    expect(r.command).toEqual(['python', '-m', 'svc.main']);
    expect(r.port).toBe(8001);
    expect(codes(r)).toEqual(['loopback-bind']);
  });
});

describe('the health path under an include prefix', () => {
  it('app.include_router(r, prefix="/api/v1") with @r.get("/health") in another module', async () => {
    const r = await detect(
      {
        'app/__init__.py': '',
        'app/main.py':
          'from fastapi import FastAPI\nfrom app.api import health\n\napp = FastAPI()\napp.include_router(health.router, prefix="/api/v1")\n',
        'app/api/__init__.py': '',
        'app/api/health.py':
          'from fastapi import APIRouter\nrouter = APIRouter(prefix="/status")\n\n@router.get("/health")\ndef health():\n    return {}\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.healthcheckPath).toBe('/api/v1/status/health');
    expect(r.decisions.find((d) => d.topic === 'healthcheck')?.source).toEqual({
      file: 'app/api/health.py',
      line: 4,
    });
  });

  it('Flask blueprints: url_prefix on the Blueprint and on register_blueprint compose', async () => {
    const r = await detect(
      {
        'web/__init__.py':
          'from flask import Flask\nfrom .ops import ops\n\ndef create_app():\n    app = Flask(__name__)\n    app.register_blueprint(ops, url_prefix="/internal")\n    return app\n',
        'web/ops.py':
          'from flask import Blueprint\nops = Blueprint("ops", __name__, url_prefix="/ops")\n\n@ops.route("/healthz")\ndef hz():\n    return "ok"\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.healthcheckPath).toBe('/internal/ops/healthz');
  });
});

it('Gradio: Blocks bound to a subscript, launched through it, the import inside a function', async () => {
  const r = await detect(
    {
      'server.py':
        'from modules import shared\n\ndef create_interface():\n    import gradio as gr\n    with gr.Blocks(title="x") as shared.gradio["interface"]:\n        pass\n    shared.gradio["interface"].launch(server_port=shared.port, server_name=None)\n\nif __name__ == "__main__":\n    create_interface()\n',
      'modules/__init__.py': '',
      'modules/shared.py': 'gradio = {}\nport = None\n',
    },
    deps('gradio'),
  );
  expect(r.framework).toBe('gradio');
  expect(r.command).toEqual(['python', 'server.py']);
  expect(r.port).toBe(7860);
});

it('a CLI that imports streamlit only inside a function is not a Streamlit script: its console script runs', async () => {
  const r = await detect(
    {
      'tool/__init__.py': '',
      'tool/main.py':
        'import sys\n\ndef launch_gui():\n    from streamlit.web import cli\n    sys.exit(cli.main())\n\ndef main():\n    if "--gui" in sys.argv:\n        launch_gui()\n',
    },
    deps('streamlit'),
    { scripts: { tool: 'tool.main:main' } },
  );
  expect(r.framework).toBe('cli');
  expect(r.command).toEqual(['tool']);
});

it('a script importing streamlit at module level (under try) is one', async () => {
  const r = await detect(
    { 'dash.py': 'try:\n    import streamlit as st\nexcept ImportError:\n    raise\nst.title("x")\n' },
    deps('streamlit'),
  );
  expect(r.framework).toBe('streamlit');
});
