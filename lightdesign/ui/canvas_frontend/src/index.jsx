// The Design page's editor: a palette and the design drawn top-down with React Flow.
//
// A Streamlit components-v2 renderer: Streamlit calls the default export with the data
// from Python on every run; the React root is created once per host element and then
// re-rendered. Every gesture becomes one trigger value `event` ({type, ...}); Python
// applies it as one undoable edit and sends the new drawing back. Nothing here edits the
// design itself, so what is drawn is always what the server holds.
import React, { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import {
  Background,
  BaseEdge,
  Controls,
  Handle,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useNodesState,
  useReactFlow,
} from "@xyflow/react";
import dagre from "@dagrejs/dagre";
import flowCss from "@xyflow/react/dist/style.css";
import ownCss from "./canvas.css";

const KIND_MIME = "application/x-lightdesign-kind";
// Node sizes at zoom 1; their text (canvas.css) is 13-14 px, so at the opening zoom
// (READABLE_ZOOM or more) no text on a node is smaller than 11 px.
const BLOCK_W = 250;
const BLOCK_H = 48;
const LAYER_W = 204;
const LAYER_H = 46;
const IO_W = 180;
const IO_H = 34;
const PALETTE_W = 168; // the palette lies over the canvas's left side while it is open

// -- the graph to draw: blocks, or the layers of expanded blocks -----------------------------

function buildView(data, expanded) {
  const blocks = data.blocks || [];
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const owner = new Map(); // primitive name -> block id ("input" for the model input)
  const prims = new Map();
  owner.set("input", "input");
  for (const p of data.prims || []) {
    owner.set(p.name, p.block);
    prims.set(p.name, p);
  }
  const isOpen = (blockId) => expanded.has(blockId) && byId.get(blockId)?.composite && byId.get(blockId)?.traced;
  const display = (prim) => {
    const block = owner.get(prim);
    if (block === "input" || block === undefined) return "input";
    return isOpen(block) ? `l:${prim}` : `b:${block}`;
  };
  const nodes = [{ id: "input", type: "io", data: { label: data.texts.input, shape: data.inputShape } }];
  for (const b of blocks) {
    if (isOpen(b.id)) continue;
    nodes.push({ id: `b:${b.id}`, type: "block", data: { block: b } });
  }
  for (const p of data.prims || []) {
    if (isOpen(p.block)) nodes.push({ id: `l:${p.name}`, type: "layer", data: { prim: p, block: byId.get(p.block) } });
  }
  const edges = [];
  const seen = new Set();
  // One edge per (source node, target node, handle): a collapsed block's internal shortcut
  // from its own input is not drawn (it would lie on its main edge, label on label); the
  // block carries a badge for it instead.
  const addEdge = (src, dst, shape, handle, extra = {}) => {
    const id = `e${edges.length}`;
    const srcBlock = src === "input" ? "input" : src.startsWith("l:") ? owner.get(src.slice(2)) : src.slice(2);
    const dstBlock = dst === "output" ? "output" : dst.startsWith("l:") ? owner.get(dst.slice(2)) : dst.slice(2);
    edges.push({
      id,
      source: src,
      target: dst,
      targetHandle: handle,
      label: shape || undefined,
      className: extra.second ? "ld-second" : undefined,
      data: { srcBlock, dstBlock, handle: handle === "source" ? "source" : "in" },
      labelBgPadding: [3, 1],
      labelBgBorderRadius: 3,
    });
  };
  for (const p of data.prims || []) {
    (p.inputs || []).forEach(([source, shape], position) => {
      const src = display(source);
      const dst = display(p.name);
      if (src === dst) return;
      const dstBlock = byId.get(p.block);
      // The second input of a merge block (its `source` field) arrives on its side handle.
      const handle = dst.startsWith("b:") && dstBlock?.merge && position >= 1 ? "source" : "in";
      const key = `${src}>${dst}>${handle}`;
      if (!seen.has(key)) {
        seen.add(key);
        addEdge(src, dst, shape, handle, { second: handle === "source" });
      }
    });
  }
  // Blocks that could not be traced keep their place in the chain, without shapes.
  let previous = data.outputPrim ? display(data.outputPrim) : "input";
  for (const b of blocks) {
    if (!b.traced) {
      addEdge(previous, `b:${b.id}`, "", "in");
      previous = `b:${b.id}`;
    }
  }
  if (data.outputPrim && data.complete) {
    nodes.push({ id: "output", type: "io", data: { label: data.texts.output, shape: data.outputShape } });
    addEdge(display(data.outputPrim), "output", data.outputShape, "in");
  }
  return { nodes, edges };
}

function size(node) {
  if (node.type === "block") return [BLOCK_W, BLOCK_H];
  if (node.type === "layer") return [LAYER_W, LAYER_H];
  return [IO_W, IO_H];
}

// An edge label's room (12 px text, canvas.css): dagre places each label as a box of its own,
// clear of the nodes and of the other labels, and routes the edge through it.
function labelSize(label) {
  return label ? [String(label).length * 7 + 10, 18] : [0, 0];
}

function layout(view, data, expanded) {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  // With labels dagre halves ranksep and puts the labels between the ranks: nodes about 40 px
  // apart (a tall design shows its first seven blocks at the opening zoom), 70 px when expanded
  // blocks are framed (a label between two frames clears both the frame above and the title of
  // the frame below).
  const framed = view.nodes.some((n) => n.type === "layer");
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: framed ? 52 : 22, edgesep: 12, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of view.nodes) {
    const [width, height] = size(n);
    g.setNode(n.id, { width, height });
  }
  view.edges.forEach((e) => {
    const [width, height] = labelSize(e.label);
    g.setEdge(e.source, e.target, { weight: e.className ? 1 : 2, width, height, labelpos: "c" }, e.id);
  });
  dagre.layout(g);
  const edges = view.edges.map((e) => {
    const routed = g.edge({ v: e.source, w: e.target, name: e.id });
    return { ...e, type: "routed", data: { ...e.data, points: routed.points, labelX: routed.x, labelY: routed.y } };
  });
  const nodes = view.nodes.map((n) => {
    const p = g.node(n.id);
    const [width, height] = size(n);
    return { ...n, position: { x: p.x - width / 2, y: p.y - height / 2 }, width, height, draggable: false };
  });
  // A frame behind the layers of each expanded block, labelled with the block.
  const groups = [];
  for (const b of data.blocks || []) {
    if (!expanded.has(b.id) || !b.composite || !b.traced) continue;
    const inner = nodes.filter((n) => n.type === "layer" && n.data.prim.block === b.id);
    if (!inner.length) continue;
    const x0 = Math.min(...inner.map((n) => n.position.x)) - 14;
    const y0 = Math.min(...inner.map((n) => n.position.y)) - 26;
    const x1 = Math.max(...inner.map((n) => n.position.x + n.width)) + 14;
    const y1 = Math.max(...inner.map((n) => n.position.y + n.height)) + 10;
    groups.push({
      id: `g:${b.id}`,
      type: "frame",
      position: { x: x0, y: y0 },
      width: x1 - x0,
      height: y1 - y0,
      style: { width: x1 - x0, height: y1 - y0 },
      zIndex: -1,
      draggable: false,
      connectable: false,
      data: { block: b },
    });
  }
  return { nodes: [...groups, ...nodes], edges };
}

// An edge along dagre's route: from the source's handle through the points dagre placed
// (around the nodes in its way, through its label's box) to the target's handle, each stretch
// an S-curve leaving and arriving vertically (horizontally into a merge's side handle).
function routePath(points, targetPosition) {
  let d = `M ${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const mid = (a.y + b.y) / 2;
    const side = i === points.length - 1 && targetPosition === Position.Left;
    d += side ? ` C ${a.x},${mid} ${b.x - 30},${b.y} ${b.x},${b.y}` : ` C ${a.x},${mid} ${b.x},${mid} ${b.x},${b.y}`;
  }
  return d;
}

function RoutedEdge(props) {
  const { id, sourceX, sourceY, targetX, targetY, targetPosition, data, label, style, markerEnd, interactionWidth } = props;
  const inner = (data?.points || []).slice(1, -1);
  const path = routePath([{ x: sourceX, y: sourceY }, ...inner, { x: targetX, y: targetY }], targetPosition);
  return (
    <BaseEdge
      id={id}
      path={path}
      label={label}
      labelX={data?.labelX ?? (sourceX + targetX) / 2}
      labelY={data?.labelY ?? (sourceY + targetY) / 2}
      labelBgPadding={props.labelBgPadding}
      labelBgBorderRadius={props.labelBgBorderRadius}
      style={style}
      markerEnd={markerEnd}
      interactionWidth={interactionWidth}
    />
  );
}

const EDGE_TYPES = { routed: RoutedEdge };

// -- node drawings ----------------------------------------------------------------------------

// Small labels in a block's title row: each {text, title, tone} from the server (a shortcut
// inside a collapsed block today; more facts about a block can come as more badges).
function Badges({ badges }) {
  if (!badges || !badges.length) return null;
  return badges.map((badge, i) => (
    <span key={i} className={`ld-badge ld-badge-${badge.tone || "plain"}`} title={badge.title || ""}>
      {badge.text}
    </span>
  ));
}

function BlockNode({ data }) {
  const b = data.block;
  const ctx = data.ctx;
  const selected = ctx.selected === b.id;
  const cls = ["ld-node", "ld-block", b.error ? "ld-error" : "", selected ? "ld-selected" : "", b.traced ? "" : "ld-untraced"];
  const tip = b.error || `${b.name} · ${b.kind}${b.shape ? ` → ${b.shape}` : ""}${b.cost ? ` · ${b.cost}` : ""}`;
  return (
    <div className={cls.join(" ")} style={{ "--fill": b.color }} title={tip} data-block={b.id} data-name={b.name}>
      <Handle type="target" position={Position.Top} id="in" />
      {b.merge ? <Handle type="target" position={Position.Left} id="source" className="ld-source-handle" /> : null}
      <div className="ld-node-title">
        <span className="ld-node-name">{b.name}</span>
        <Badges badges={b.badges} />
        {b.composite && b.traced ? (
          <button
            className="ld-toggle nodrag"
            title={ctx.texts.expand}
            onClick={(event) => {
              event.stopPropagation();
              ctx.toggle(b.id);
            }}
          >
            +
          </button>
        ) : null}
        {b.error ? <span className="ld-error-mark">⛔</span> : null}
      </div>
      <div className="ld-node-sub">{b.summary}</div>
      <Handle type="source" position={Position.Bottom} id="out" />
    </div>
  );
}

function LayerNode({ data }) {
  const p = data.prim;
  const selected = data.ctx.selected === p.block;
  return (
    <div
      className={`ld-node ld-layer${selected ? " ld-selected" : ""}`}
      style={{ "--fill": data.block?.color }}
      title={`${p.name} · ${p.kind}`}
      data-block={p.block}
    >
      <Handle type="target" position={Position.Top} id="in" isConnectable={false} />
      <div className="ld-node-name">{p.name}</div>
      <div className="ld-node-sub">{p.summary}</div>
      <Handle type="source" position={Position.Bottom} id="out" isConnectable={false} />
    </div>
  );
}

function FrameNode({ data }) {
  const b = data.block;
  return (
    <div className={`ld-frame${data.ctx.selected === b.id ? " ld-selected" : ""}`} data-block={b.id}>
      <div className="ld-frame-title">
        <span>
          {b.name}: {b.kind}
        </span>
        <button
          className="ld-toggle nodrag"
          title={data.ctx.texts.collapse}
          onClick={(event) => {
            event.stopPropagation();
            data.ctx.toggle(b.id);
          }}
        >
          −
        </button>
      </div>
    </div>
  );
}

// The model's input and output on one line (name, shape), clear of the connector dots at
// the node's top and bottom edges.
function IoNode({ id, data }) {
  return (
    <div className="ld-node ld-io" data-io={id}>
      {id === "output" ? <Handle type="target" position={Position.Top} id="in" isConnectable={false} /> : null}
      <span className="ld-io-label">{data.label}</span>
      <span className="ld-io-shape">{data.shape}</span>
      {id === "input" ? <Handle type="source" position={Position.Bottom} id="out" /> : null}
    </div>
  );
}

const NODE_TYPES = { block: BlockNode, layer: LayerNode, frame: FrameNode, io: IoNode };

// -- the palette ------------------------------------------------------------------------------

function Palette({ data, send, selected, close }) {
  const [query, setQuery] = useState("");
  const q = query.trim().toLowerCase();
  return (
    <div className="ld-palette" data-testid="ld-palette" style={{ width: PALETTE_W }}>
      <div className="ld-palette-head">
        <input
          className="ld-search"
          type="search"
          placeholder={data.texts.search}
          aria-label={data.texts.search}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <button className="ld-close" onClick={close} title={data.texts.hidePalette} aria-label={data.texts.hidePalette} data-action="hide-palette">
          ×
        </button>
      </div>
      <div className="ld-palette-list">
        {(data.palette || []).map((group) => {
          const kinds = group.kinds.filter(
            (k) => !q || k.kind.toLowerCase().includes(q) || (k.doc || "").toLowerCase().includes(q),
          );
          if (!kinds.length) return null;
          return (
            <div className="ld-category" key={group.category}>
              <div className="ld-category-title">
                <span className="ld-swatch" style={{ background: group.color }} />
                {group.label}
              </div>
              {kinds.map((k) => (
                <div
                  key={k.kind}
                  className="ld-kind"
                  draggable
                  tabIndex={0}
                  role="button"
                  title={k.doc}
                  data-kind={k.kind}
                  onDragStart={(event) => {
                    event.dataTransfer.setData(KIND_MIME, k.kind);
                    event.dataTransfer.setData("text/plain", k.kind);
                    event.dataTransfer.effectAllowed = "copy";
                  }}
                  onDoubleClick={() => send({ type: "drop", kind: k.kind, after: selected || null })}
                  onKeyDown={(event) => {
                    if (event.key === "Enter") send({ type: "drop", kind: k.kind, after: selected || null });
                  }}
                >
                  {k.kind}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}

// -- the canvas -------------------------------------------------------------------------------

function ContextMenu({ menu, texts, send, close }) {
  if (!menu) return null;
  const item = (label, event, testid) => (
    <button
      className="ld-menu-item"
      data-action={testid}
      onClick={() => {
        send(event);
        close();
      }}
    >
      {label}
    </button>
  );
  const b = menu.block;
  return (
    <div className="ld-menu" style={{ left: menu.x, top: menu.y }} role="menu" onContextMenu={(e) => e.preventDefault()}>
      <div className="ld-menu-title">{b.name}</div>
      {item(texts.duplicate, { type: "duplicate", block: b.id }, "duplicate")}
      {item(texts.delete, { type: "delete", block: b.id }, "delete")}
      {item(texts.up, { type: "move", block: b.id, delta: -1 }, "up")}
      {item(texts.down, { type: "move", block: b.id, delta: 1 }, "down")}
      {item(texts.wrap, { type: "wrap", block: b.id }, "wrap")}
      {b.composite && b.traced ? (
        <button
          className="ld-menu-item"
          data-action="expand"
          onClick={() => {
            menu.toggle(b.id);
            close();
          }}
        >
          {menu.open ? texts.collapse : texts.expand}
        </button>
      ) : null}
    </div>
  );
}

// A connection onto a block's main input: merge with what it reads (Add, Concatenate) or
// replace it. Each choice says what the block will read.
// A menu's place in the canvas (x, y from its top left) moved so that all of it (width x height)
// is on screen: the canvas may run below the window's bottom on a laptop.
function inView(bounds, x, y, width, height) {
  const top = Math.max(4, 4 - bounds.top);
  const bottom = Math.min(bounds.height, window.innerHeight - bounds.top) - height;
  return { x: Math.max(4, Math.min(x, bounds.width - width)), y: Math.max(top, Math.min(y, bottom)) };
}

function ConnectMenu({ choice, texts, send, close }) {
  if (!choice) return null;
  const fill = (text) =>
    (text || "").replaceAll("{source}", choice.sourceName).replaceAll("{target}", choice.targetName).replaceAll("{main}", choice.main);
  const item = (how, label) => (
    <button
      className="ld-menu-item"
      data-action={`connect-${how}`}
      onClick={() => {
        send({ type: "connect", source: choice.source, target: choice.target, handle: "in", how });
        close();
      }}
    >
      {fill(label)}
    </button>
  );
  return (
    <div className="ld-menu ld-connect-menu" style={{ left: choice.x, top: choice.y }} role="menu" data-testid="ld-connect-menu">
      <div className="ld-menu-title">{fill(texts.connectTitle)}</div>
      {item("add", texts.connectAdd)}
      {item("concatenate", texts.connectConcatenate)}
      {item("replace", texts.connectReplace)}
      <button className="ld-menu-item ld-menu-cancel" data-action="connect-cancel" onClick={close}>
        {texts.connectCancel}
      </button>
    </div>
  );
}

function blockOfNode(node) {
  if (!node) return null;
  if (node.type === "block" || node.type === "frame") return node.data.block.id;
  if (node.type === "layer") return node.data.prim.block;
  return null;
}

function isTextField(element) {
  if (!element) return false;
  const tag = element.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable) return true;
  if (tag !== "INPUT") return false;
  return !["button", "checkbox", "radio", "range", "submit", "reset", "color", "file"].includes(element.type);
}

// The opening view and "Fit". A design opens at a zoom where every text on a node is at
// least 11 px (READABLE_ZOOM), fitted into the canvas when it fits that way, else on its top
// blocks (MobileNetV2's 21 blocks fitted into the canvas would be a column of 15 px nodes).
// "Fit" shows all of it, however small. Both leave the palette's side free while it is open.
const READABLE_ZOOM = 0.9;
const MAX_ZOOM = 1.1;
const MARGIN = 16;

function frame(nodes, box, left, readable) {
  const x0 = Math.min(...nodes.map((n) => n.position.x));
  const y0 = Math.min(...nodes.map((n) => n.position.y));
  const x1 = Math.max(...nodes.map((n) => n.position.x + (n.width || 0)));
  const y1 = Math.max(...nodes.map((n) => n.position.y + (n.height || 0)));
  const width = Math.max(box.width - left - 2 * MARGIN, 50);
  const height = Math.max(box.height - 2 * MARGIN, 50);
  const fit = Math.min(width / Math.max(x1 - x0, 1), height / Math.max(y1 - y0, 1), MAX_ZOOM);
  if (!readable || fit >= READABLE_ZOOM) {
    const zoom = Math.max(fit, 0.1);
    return {
      zoom,
      x: left + MARGIN + (width - (x1 - x0) * zoom) / 2 - x0 * zoom,
      y: MARGIN + (height - (y1 - y0) * zoom) / 2 - y0 * zoom,
    };
  }
  // too tall to fit readably: its top at the readable zoom, centred on the first few nodes
  const zoom = READABLE_ZOOM;
  const top = [...nodes].sort((a, b) => a.position.y - b.position.y).slice(0, 6);
  const cx = (Math.min(...top.map((n) => n.position.x)) + Math.max(...top.map((n) => n.position.x + (n.width || 0)))) / 2;
  return { zoom, x: left + MARGIN + width / 2 - cx * zoom, y: MARGIN - y0 * zoom };
}

// What a person set up on the canvas, kept outside React: Streamlit may mount the component
// afresh (a run preempted by the next gesture), and the view, the expanded blocks, an open
// menu, the palette shown or hidden and "the canvas was clicked last" must survive that.
const memory = {
  expanded: new Set(),
  menu: null,
  choice: null,
  pointer: false,
  released: { x: 0, y: 0 },
  viewport: null,
  fitted: null,
  palette: true,
};

function Flow({ data, send, host }) {
  const flow = useReactFlow();
  const [expanded, setExpandedState] = useState(() => new Set(memory.expanded));
  const [selected, setSelected] = useState(data.selected);
  const [menu, setMenuState] = useState(() => memory.menu);
  const [choice, setChoiceState] = useState(() => memory.choice);
  const [paletteOpen, setPaletteState] = useState(() => memory.palette);
  const wrapper = useRef(null);
  const pointerInCanvas = useMemo(
    () => ({
      get current() {
        return memory.pointer;
      },
      set current(value) {
        memory.pointer = value;
      },
    }),
    [],
  );
  const setExpanded = useCallback((update) => {
    setExpandedState((old) => {
      const next = typeof update === "function" ? update(old) : update;
      memory.expanded = new Set(next);
      return next;
    });
  }, []);
  const setMenu = useCallback((value) => {
    memory.menu = value;
    setMenuState(value);
  }, []);
  const setChoice = useCallback((value) => {
    memory.choice = value;
    setChoiceState(value);
  }, []);
  const setPalette = useCallback((value) => {
    memory.palette = value;
    setPaletteState(value);
  }, []);
  const lastSelectedFromServer = useRef(data.selected);
  if (lastSelectedFromServer.current !== data.selected) {
    // The server's choice wins when it changes (a drop selects the new block, undo...).
    lastSelectedFromServer.current = data.selected;
    if (selected !== data.selected) setSelected(data.selected);
  }
  const toggle = useCallback(
    (id) =>
      setExpanded((old) => {
        const next = new Set(old);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const expandedKey = [...expanded].sort().join(",");
  const positioned = useMemo(() => {
    return layout(buildView(data, expanded), data, expanded);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data.graphKey, expandedKey]);
  const ctx = useMemo(() => ({ selected, toggle, texts: data.texts }), [selected, toggle, data.texts]);
  const drawn = useMemo(() => positioned.nodes.map((n) => ({ ...n, data: { ...n.data, ctx } })), [positioned, ctx]);
  const [nodes, setNodes, onNodesChange] = useNodesState(drawn);
  // New nodes go into React Flow's state in this render, not in an effect after it (one
  // more render and commit before a dropped block shows).
  const [lastDrawn, setLastDrawn] = useState(drawn);
  if (lastDrawn !== drawn) {
    setLastDrawn(drawn);
    setNodes(drawn);
  }
  const edges = useMemo(
    () =>
      positioned.edges.map((e) => {
        const touches = selected && (e.data.srcBlock === selected || e.data.dstBlock === selected);
        return touches ? { ...e, className: `${e.className || ""} ld-edge-selected` } : e;
      }),
    [positioned, selected],
  );

  const view = useCallback(
    (readable) => {
      const box = wrapper.current?.getBoundingClientRect();
      const shown = flow.getNodes();
      if (!box || !shown.length) return;
      memory.viewport = frame(shown, box, memory.palette ? PALETTE_W : 0, readable);
      flow.setViewport(memory.viewport); // kept, as a pan is, for the next mount
    },
    [flow],
  );
  // Open a design at a readable zoom (not after every edit: keep the person's view).
  useEffect(() => {
    if (!nodes.length) return;
    if (memory.fitted !== data.designKey) {
      memory.fitted = data.designKey;
      requestAnimationFrame(() => view(true));
    } else if (memory.viewport && !memory.restored) {
      memory.restored = true;
      flow.setViewport(memory.viewport);
    }
  }, [data.designKey, nodes.length, flow, view]);
  useEffect(() => () => {
    memory.restored = false;  // the next mount puts the view back
  }, []);

  const select = useCallback(
    (id) => {
      if (!id) return;
      setSelected(id);
      if (id !== data.selected) send({ type: "select", block: id });
    },
    [data.selected, send],
  );

  const closeMenus = useCallback(() => {
    setMenu(null);
    setChoice(null);
  }, [setMenu, setChoice]);

  // Undo and redo anywhere on the page but in a text field; Delete only on the canvas (it
  // has the focus, or nothing has and the canvas was the last thing clicked). Listened for
  // on the document, as the focus may sit in the component's shadow root.
  const onKeyDown = useCallback(
    (event) => {
      if (isTextField(event.composedPath()[0] || event.target)) return;
      const active = document.activeElement;
      const idle = !active || active === document.body;
      const inCanvas = event.composedPath().includes(wrapper.current) || (idle && pointerInCanvas.current);
      const mod = event.ctrlKey || event.metaKey;
      if (mod && (event.key === "z" || event.key === "Z")) {
        event.preventDefault();
        send({ type: event.shiftKey ? "redo" : "undo" });
      } else if (mod && (event.key === "y" || event.key === "Y")) {
        event.preventDefault();
        send({ type: "redo" });
      } else if ((event.key === "Delete" || event.key === "Backspace") && selected && inCanvas) {
        event.preventDefault();
        send({ type: "delete", block: selected });
      } else if (event.key === "Escape") {
        closeMenus();
      }
    },
    [send, selected, closeMenus],
  );
  useEffect(() => {
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [onKeyDown]);
  useEffect(() => {
    const down = (event) => {
      pointerInCanvas.current = event.composedPath().includes(wrapper.current);
    };
    const up = (event) => {
      const bounds = wrapper.current?.getBoundingClientRect();
      if (bounds) memory.released = { x: event.clientX - bounds.left, y: event.clientY - bounds.top };
    };
    document.addEventListener("pointerdown", down, true);
    document.addEventListener("pointerup", up, true);
    return () => {
      document.removeEventListener("pointerdown", down, true);
      document.removeEventListener("pointerup", up, true);
    };
  }, []);

  const onDrop = useCallback(
    (event) => {
      event.preventDefault();
      const kind = event.dataTransfer.getData(KIND_MIME);
      if (!kind) return;
      const root = host.elementsFromPoint ? host : document;
      const under = root.elementsFromPoint(event.clientX, event.clientY);
      for (const element of under) {
        const nodeEl = element.closest && element.closest(".react-flow__node");
        if (nodeEl) {
          const node = flow.getNode(nodeEl.getAttribute("data-id"));
          const block = blockOfNode(node);
          if (block) return send({ type: "drop", kind, after: block });
          if (node && node.id === "input") return send({ type: "drop", kind, after: null });
        }
        const edgeEl = element.closest && element.closest(".react-flow__edge");
        if (edgeEl) {
          const edge = positioned.edges.find((e) => e.id === edgeEl.getAttribute("data-id"));
          if (edge) return send({ type: "drop", kind, edge: [edge.data.srcBlock, edge.data.dstBlock, edge.data.handle] });
        }
      }
      // On the empty canvas: after the nearest block above the drop point.
      const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      let best = null;
      for (const n of flow.getNodes()) {
        const block = blockOfNode(n);
        if (!block || n.type === "frame") continue;
        const cy = n.position.y + (n.height || 0) / 2;
        if (cy >= point.y) continue;
        if (!best || cy > best.cy || (cy === best.cy && Math.abs(n.position.x - point.x) < best.dx)) {
          best = { block, cy, dx: Math.abs(n.position.x - point.x) };
        }
      }
      send({ type: "drop", kind, after: best ? best.block : null });
    },
    [flow, host, positioned, send],
  );

  // Onto a merge's side handle: its second input. Onto a main input: the choices (merge or
  // replace), unless the server can only refuse it (a block below, or itself) or nothing
  // would change; those go straight to the server, which says why in words.
  const onConnect = useCallback(
    (c) => {
      const source = c.source === "input" ? "input" : blockOfNode(flow.getNode(c.source));
      const target = blockOfNode(flow.getNode(c.target));
      if (!source || !target) return;
      if (c.targetHandle === "source") return send({ type: "connect", source, target, handle: "source" });
      const blocks = data.blocks || [];
      const at = (id) => blocks.findIndex((b) => b.id === id);
      const to = blocks[at(target)];
      const sourceName = source === "input" ? "input" : blocks[at(source)]?.name;
      if ((source !== "input" && at(source) >= at(target)) || !to || to.reads === sourceName) {
        return send({ type: "connect", source, target, handle: "in" });
      }
      const bounds = wrapper.current.getBoundingClientRect();
      const { x, y } = memory.released;
      setMenu(null);
      setChoice({
        source,
        target,
        sourceName: source === "input" ? data.texts.input : sourceName,
        targetName: to.name,
        main: to.reads === "input" ? data.texts.input : to.reads,
        ...inView(bounds, x, y, 290, 200),
      });
    },
    [flow, send, data.blocks, data.texts, setMenu, setChoice],
  );

  const minimapColor = useCallback((n) => {
    if (n.type === "block") return n.data.block.error ? "#d62728" : n.data.block.color;
    if (n.type === "layer") return n.data.block?.color || "#ddd";
    if (n.type === "frame") return "transparent";
    return "#fff";
  }, []);

  const empty = !(data.blocks || []).length;
  const notice = data.notice;
  return (
    <div className="ld-editor" style={{ height: "var(--ld-editor-height, 620px)" }}>
      <div className="ld-toolbar">
        {paletteOpen ? null : (
          <button onClick={() => setPalette(true)} data-action="show-palette">
            ☰ {data.texts.palette}
          </button>
        )}
        <button onClick={() => view(false)} data-action="fit">
          {data.texts.fit}
        </button>
        <button
          onClick={() => setExpanded(new Set((data.blocks || []).filter((b) => b.composite).map((b) => b.id)))}
          data-action="expand-all"
        >
          {data.texts.expandAll}
        </button>
        <button onClick={() => setExpanded(new Set())} data-action="collapse-all">
          {data.texts.collapseAll}
        </button>
        <button onClick={() => send({ type: "undo" })} disabled={!data.canUndo} data-action="undo" title={data.texts.undo}>
          ↶
        </button>
        <button onClick={() => send({ type: "redo" })} disabled={!data.canRedo} data-action="redo" title={data.texts.redo}>
          ↷
        </button>
        <button
          onClick={() => send({ type: "heat", on: !data.heat })}
          data-action="heat"
          aria-pressed={data.heat ? "true" : "false"}
          title={data.texts.heatHelp}
        >
          {data.texts.heat}
        </button>
        <div
          className={`ld-notice${notice ? ` ld-notice-${notice.level}` : ""}`}
          role={notice && notice.level === "error" ? "alert" : "status"}
          data-testid="ld-notice"
        >
          {notice ? notice.text : ""}
        </div>
        <button
          onClick={() => send({ type: "inspector", open: !data.inspectorOpen })}
          data-action="inspector"
          aria-pressed={data.inspectorOpen ? "true" : "false"}
        >
          {data.inspectorOpen ? `${data.texts.hideInspector} ▸` : `◂ ${data.texts.inspector}`}
        </button>
      </div>
      <div className="ld-body">
        <div
          className="ld-canvas"
          ref={wrapper}
          tabIndex={0}
          onDragOver={(event) => {
            event.preventDefault();
            event.dataTransfer.dropEffect = "copy";
          }}
          onDrop={onDrop}
          data-testid="ld-canvas"
        >
          {empty ? <div className="ld-empty">{data.texts.empty}</div> : null}
          <ReactFlow
            nodes={nodes}
            edges={edges}
            onNodesChange={onNodesChange}
            nodeTypes={NODE_TYPES}
            edgeTypes={EDGE_TYPES}
            onNodeClick={(event, node) => {
              closeMenus();
              wrapper.current?.focus({ preventScroll: true });
              select(blockOfNode(node));
            }}
            onNodeContextMenu={(event, node) => {
              const block = blockOfNode(node);
              if (!block) return;
              event.preventDefault();
              const bounds = wrapper.current.getBoundingClientRect();
              const b = (data.blocks || []).find((x) => x.id === block);
              select(block);
              setChoice(null);
              setMenu({ x: event.clientX - bounds.left, y: event.clientY - bounds.top, block: b, open: expanded.has(block), toggle });
            }}
            onPaneClick={() => {
              closeMenus();
              wrapper.current?.focus({ preventScroll: true });
            }}
            onConnect={onConnect}
            onMoveEnd={(event, viewport) => {
              memory.viewport = viewport;
            }}
            isValidConnection={(c) => c.source !== c.target}
            nodesDraggable={false}
            elementsSelectable={false}
            deleteKeyCode={null}
            selectionKeyCode={null}
            multiSelectionKeyCode={null}
            zoomOnDoubleClick={false}
            minZoom={0.1}
            maxZoom={2}
            onlyRenderVisibleElements={(data.blocks || []).length > 80}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={18} size={1} />
            <Controls showInteractive={false} position="top-right" orientation="horizontal" />
            <MiniMap pannable zoomable style={{ width: 130, height: 100 }} nodeColor={minimapColor} position="bottom-right" ariaLabel={data.texts.minimap} />
          </ReactFlow>
          <ContextMenu menu={menu} texts={data.texts} send={send} close={() => setMenu(null)} />
          <ConnectMenu choice={choice} texts={data.texts} send={send} close={() => setChoice(null)} />
        </div>
        {paletteOpen ? <Palette data={data} send={send} selected={data.selected} close={() => setPalette(false)} /> : null}
      </div>
    </div>
  );
}

function App({ data, send, host }) {
  return (
    <ReactFlowProvider>
      <Flow data={data} send={send} host={host} />
    </ReactFlowProvider>
  );
}

// -- the Streamlit renderer -------------------------------------------------------------------

const mounted = new WeakMap();
let counter = 0;

export default function render(component) {
  const { data, parentElement, setTriggerValue } = component;
  let entry = mounted.get(parentElement);
  if (!entry) {
    const style = document.createElement("style");
    style.textContent = flowCss + "\n" + ownCss;
    const container = document.createElement("div");
    container.className = "ld-host";
    parentElement.appendChild(style);
    parentElement.appendChild(container);
    entry = { root: createRoot(container) };
    mounted.set(parentElement, entry);
  }
  entry.send = (event) => {
    counter += 1;
    setTriggerValue("event", { ...event, nonce: `${Date.now()}-${counter}` });
  };
  const send = (event) => entry.send(event);
  entry.generation = (entry.generation || 0) + 1;
  const generation = entry.generation;
  // Drawn now, not in time slices between the rest of the page's updates: the new node
  // appeared 150-250 ms after its data arrived, behind Streamlit's own rendering.
  flushSync(() => entry.root.render(<App data={data || { texts: {} }} send={send} host={parentElement} />));
  // Streamlit calls a render's cleanup when the element goes away, and also, a moment
  // later, the cleanup of a render that newer data overtook while it was loading: that one
  // must not unmount the canvas the newer render drew (the canvas went blank after quick
  // reruns). Only the latest render's cleanup unmounts.
  return () => {
    if (mounted.get(parentElement) !== entry || entry.generation !== generation) return;
    entry.root.unmount();
    mounted.delete(parentElement);
  };
}
