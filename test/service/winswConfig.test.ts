import path from 'node:path';
import { XmlDocument } from 'libxml2-wasm';
import { describe, expect, it } from 'vitest';
import { planWindows, type ServiceConfig } from '../../src/service/installService.js';
import { windowsArg, winswConfig, xmlAttribute, type WinswConfigInput } from '../../src/service/winswConfig.js';

const BASE: WinswConfigInput = {
  id: 'turnkey',
  name: 'turnkey (e-invoices)',
  description: 'turnkey: sends e-invoices to the MOF E-Invoice Platform',
  nodePath: 'C:\\Program Files\\nodejs\\node.exe',
  nodeFlags: ['--expose-gc'],
  binPath: 'C:\\Program Files\\turnkey\\bin\\turnkey',
  configFile: 'D:\\ERP data\\turnkey\\turnkey.config.json',
  dataRoot: 'D:\\ERP data\\turnkey',
  logDir: 'D:\\ERP data\\turnkey\\logs',
  drainTimeoutSeconds: 30,
};

/** Reads the XML back with a real parser (libxml2): every value as WinSW's XmlDocument would see it. */
function readBack(xml: string): { text: (xpath: string) => string | undefined } {
  const doc = XmlDocument.fromString(xml);
  const values = new Map<string, string | undefined>();
  const text = (xpath: string): string | undefined => {
    if (!values.has(xpath)) values.set(xpath, doc.get(xpath)?.content);
    return values.get(xpath);
  };
  // Every value the tests read, read now, so that the document can be freed.
  for (const x of XPATHS) text(x);
  doc.dispose();
  return { text: (xpath) => values.get(xpath) };
}

const XPATHS = [
  '/service/id',
  '/service/name',
  '/service/description',
  '/service/executable',
  '/service/arguments',
  '/service/workingdirectory',
  '/service/stopparentprocessfirst',
  '/service/stoptimeout',
  '/service/onfailure/@action',
  '/service/onfailure/@delay',
  '/service/resetfailure',
  '/service/logpath',
  '/service/log/@mode',
  '/service/log/sizeThreshold',
  '/service/log/keepFiles',
  '/service/env[@name="NODE_ENV"]/@value',
];

/** How node.exe (the Microsoft C runtime) splits its command line into argv. */
function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (c === '\\') {
        let n = 0;
        while (line[i] === '\\') {
          n++;
          i++;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += '\\'.repeat(n);
          i--;
        }
      } else if (c === '"') {
        quoted = !quoted;
      } else if (!quoted && (c === ' ' || c === '\t')) {
        break;
      } else {
        arg += c;
      }
    }
    args.push(arg);
  }
  return args;
}

/** WinSW's time spans: a number and a unit (sec, secs, min, mins, hour, hours, day, days; ms). */
function winswSeconds(span: string): number {
  const m = /^(\d+)\s*(ms|secs?|mins?|hours?|days?)$/.exec(span.trim());
  if (!m) throw new Error(`not a WinSW time span: ${span}`);
  const unit = { ms: 0.001, sec: 1, secs: 1, min: 60, mins: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 }[m[2]!]!;
  return Number(m[1]) * unit;
}

describe('the WinSW configuration', () => {
  it('keeps Windows paths with spaces and backslashes intact, and node gets back the exact command line', () => {
    const xml = winswConfig(BASE);
    const back = readBack(xml);
    expect(back.text('/service/executable')).toBe('C:\\Program Files\\nodejs\\node.exe');
    expect(back.text('/service/workingdirectory')).toBe('D:\\ERP data\\turnkey');
    expect(back.text('/service/logpath')).toBe('D:\\ERP data\\turnkey\\logs');
    expect(back.text('/service/arguments')).toBe(
      '--expose-gc "C:\\Program Files\\turnkey\\bin\\turnkey" start --config "D:\\ERP data\\turnkey\\turnkey.config.json"',
    );
    expect(splitWindowsCommandLine(back.text('/service/arguments')!)).toEqual([
      '--expose-gc',
      'C:\\Program Files\\turnkey\\bin\\turnkey',
      'start',
      '--config',
      'D:\\ERP data\\turnkey\\turnkey.config.json',
    ]);
    expect(back.text('/service/id')).toBe('turnkey');
    expect(back.text('/service/env[@name="NODE_ENV"]/@value')).toBe('production');
  });

  it('stops the daemon with Ctrl+C, parent first, and waits longer than the drain', () => {
    for (const drain of [30, 300, 0.5]) {
      const back = readBack(winswConfig({ ...BASE, drainTimeoutSeconds: drain }));
      expect(back.text('/service/stopparentprocessfirst')).toBe('true');
      expect(winswSeconds(back.text('/service/stoptimeout')!)).toBeGreaterThan(drain);
    }
    expect(readBack(winswConfig(BASE)).text('/service/stoptimeout')).toBe('45 sec');
  });

  it('restarts the daemon after a failure', () => {
    const back = readBack(winswConfig(BASE));
    expect(back.text('/service/onfailure/@action')).toBe('restart');
    expect(winswSeconds(back.text('/service/onfailure/@delay')!)).toBe(10);
    expect(winswSeconds(back.text('/service/resetfailure')!)).toBe(3600);
  });

  it("rolls the daemon's output by size in the logs folder", () => {
    const back = readBack(winswConfig(BASE));
    expect(back.text('/service/log/@mode')).toBe('roll-by-size');
    expect(back.text('/service/log/sizeThreshold')).toBe('10240'); // KiB: 10 MiB
    expect(back.text('/service/log/keepFiles')).toBe('8');
  });

  it('starts with <service>: WinSW 1 reads stoptimeout under the first node, and a declaration or comment would hide it', () => {
    const xml = winswConfig(BASE);
    expect(xml.startsWith('<service>\r\n')).toBe(true);
    expect(xml).not.toMatch(/<\?xml/);
    expect(xml.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // Windows line ends throughout
  });

  it('escapes &, < and > in values and quotes in attributes, and every value reads back unchanged', () => {
    const input = {
      ...BASE,
      description: 'R&D <test> "quoted" \'single\'',
      dataRoot: "D:\\R&D's data\\turnkey",
      configFile: "D:\\R&D's data\\turnkey\\turnkey.config.json",
      logDir: "D:\\R&D's data\\turnkey\\logs",
    };
    const xml = winswConfig(input);
    expect(xml).toContain('<description>R&amp;D &lt;test&gt; "quoted" \'single\'</description>');
    expect(xml).toContain("<workingdirectory>D:\\R&amp;D's data\\turnkey</workingdirectory>");
    const back = readBack(xml);
    expect(back.text('/service/description')).toBe(input.description);
    expect(back.text('/service/workingdirectory')).toBe(input.dataRoot);
    expect(splitWindowsCommandLine(back.text('/service/arguments')!).at(-1)).toBe(input.configFile);
    expect(xmlAttribute(`a"b'c&d<e>`)).toBe('a&quot;b&apos;c&amp;d&lt;e&gt;');
  });

  it('quotes each argument the way node.exe splits it again: trailing backslashes, quotes, empty', () => {
    const args = ['plain', 'C:\\dir with space\\', 'a"b', 'a\\"b c', '', 'C:\\no-space\\', 'tab\there', '中文 路徑\\發票'];
    const line = args.map(windowsArg).join(' ');
    expect(splitWindowsCommandLine(line)).toEqual(args);
    expect(windowsArg('C:\\dir with space\\')).toBe('"C:\\dir with space\\\\"');
    expect(windowsArg('C:\\no-space\\')).toBe('C:\\no-space\\');
  });

  it('refuses a path WinSW would expand as %NAME%, one with a control character, and an id that is not plain', () => {
    expect(() => winswConfig({ ...BASE, dataRoot: 'D:\\%TEMP%\\turnkey' })).toThrow(expect.objectContaining({ code: 'service-path' }));
    expect(() => winswConfig({ ...BASE, configFile: 'D:\\a\r\nb.json' })).toThrow(expect.objectContaining({ code: 'service-path' }));
    expect(winswConfig({ ...BASE, dataRoot: 'D:\\100% data' })).toContain('<workingdirectory>D:\\100% data</workingdirectory>');
    expect(() => winswConfig({ ...BASE, id: 'turn key' })).toThrow(expect.objectContaining({ code: 'service-name' }));
  });
});

describe('the Windows service files for an install (path.win32)', () => {
  const config = {
    configFile: 'D:\\ERP data\\turnkey\\turnkey.config.json',
    dataRoot: 'D:\\ERP data\\turnkey',
    database: 'D:\\ERP data\\turnkey\\turnkey.db',
    group: null,
    daemon: { heartbeatSeconds: 5, drainTimeoutSeconds: 60 },
    platform: null,
    validation: { schemasDir: null },
    maintenance: { feeds: [] },
  } as unknown as ServiceConfig;
  const install = {
    config,
    nodePath: 'C:\\Program Files\\nodejs\\node.exe',
    nodeFlags: ['--expose-gc'],
    binPath: 'C:\\Program Files\\turnkey\\bin\\turnkey',
  };
  const winsw = { exe: 'C:\\npm\\node-windows\\bin\\winsw\\winsw.exe', exeConfig: 'C:\\npm\\node-windows\\bin\\winsw\\winsw.exe.config' };

  it("puts the XML and WinSW, renamed to match it, in the data root's service folder, and logs in its logs folder", () => {
    const plan = planWindows(install, winsw, path.win32);
    expect(plan.kind).toBe('windows');
    expect(plan.files.map((f) => [f.path, f.copiedFrom])).toEqual([
      ['D:\\ERP data\\turnkey\\service\\turnkey-service.xml', undefined],
      ['D:\\ERP data\\turnkey\\service\\turnkey-service.exe', winsw.exe],
      ['D:\\ERP data\\turnkey\\service\\turnkey-service.exe.config', winsw.exeConfig],
    ]);
    const back = readBack(plan.files[0]!.content!);
    expect(back.text('/service/logpath')).toBe('D:\\ERP data\\turnkey\\logs');
    expect(back.text('/service/stoptimeout')).toBe('75 sec');
    expect(plan.steps.join('\n')).toContain('"D:\\ERP data\\turnkey\\service\\turnkey-service.exe" install');
    expect(plan.steps.join('\n')).toContain('D:\\ERP data\\turnkey\\logs\\turnkey-service.out.log');
  });

  it('writes into --out, and says node-windows is missing when WinSW was not found (dry run)', () => {
    const plan = planWindows({ ...install, outDir: 'E:\\services\\turnkey' }, null, path.win32);
    expect(plan.files.map((f) => f.path)).toEqual([
      'E:\\services\\turnkey\\turnkey-service.xml',
      'E:\\services\\turnkey\\turnkey-service.exe',
      'E:\\services\\turnkey\\turnkey-service.exe.config',
    ]);
    expect(plan.files[1]!.copiedFrom).toBeNull();
    expect(plan.steps[0]).toMatch(/node-windows.*not installed/);
  });
});
