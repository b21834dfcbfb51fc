"""The agreement network: parties as nodes, agreements as edges (every pair of parties
of an agreement), laid out with a seeded force-directed layout (networkx spring layout,
component by component), so the same data always gives the same picture."""

from __future__ import annotations

from itertools import combinations

import pandas as pd

MAX_NODES = 400  # beyond this the picture is unreadable (and networkx would need scipy)
SEED = 20260


def build_graph(parties: pd.DataFrame):
    """A networkx Graph from report_data.agreement_parties rows: node attributes name,
    country, group (Chinese, European or other), agreements (count); edge attribute agreements (list of keys)."""
    import networkx as nx

    graph = nx.Graph()
    for row in parties.itertuples(index=False):
        if row.node not in graph:
            group = "Chinese" if row.party_is_chinese else "European" if row.party_is_european else "other"
            graph.add_node(row.node, name=row.party_name, country=row.party_country_code or "", group=group,
                           agreements=0)
        graph.nodes[row.node]["agreements"] += 1
    for key, group in parties.groupby("fact_key", sort=True):
        for a, b in combinations(sorted(set(group["node"])), 2):
            if graph.has_edge(a, b):
                graph.edges[a, b]["agreements"].append(key)
            else:
                graph.add_edge(a, b, agreements=[key])
    return graph


def keep_largest(graph, limit: int = MAX_NODES):
    """The subgraph of the `limit` nodes in most agreements (ties by node id)."""
    if graph.number_of_nodes() <= limit:
        return graph
    ranked = sorted(graph.nodes, key=lambda n: (-graph.nodes[n]["agreements"], n))
    return graph.subgraph(ranked[:limit]).copy()


def _component_layout(graph, nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Seeded spring layout of one connected component, in [0, 1]² (one node: centre)."""
    import networkx as nx

    if len(nodes) == 1:
        return {nodes[0]: (0.5, 0.5)}
    sub = nx.Graph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from(sorted(tuple(sorted(e)) for e in graph.subgraph(nodes).edges))
    pos = nx.spring_layout(sub, k=2.5 / len(nodes) ** 0.5, seed=SEED, iterations=200, center=(0.5, 0.5), scale=0.5)
    return {n: (float(x), float(y)) for n, (x, y) in pos.items()}


def layout(graph) -> dict[str, tuple[float, float]]:
    """Node positions: each connected component laid out on its own (seeded spring
    layout) in a square whose side grows with the square root of its size, the squares
    packed in rows, largest first. Deterministic for the same graph."""
    import networkx as nx

    components = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    if not components:
        return {}
    total = sum(len(c) for c in components)
    row_width = max(len(components[0]) ** 0.5, (total ** 0.5) * 1.6)
    pos: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for nodes in components:
        side = len(nodes) ** 0.5
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y - row_height - 0.3, 0.0
        for n, (nx_, ny_) in _component_layout(graph, nodes).items():
            pos[n] = (round(x + nx_ * side, 4), round(y - (1 - ny_) * side, 4))
        x += side + 0.3
        row_height = max(row_height, side)
    return pos


def network_frames(parties: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(nodes with x, y, name, country, group, agreements; edges with both ends, their
    positions and the agreements joining them; nodes left out by MAX_NODES)."""
    full = build_graph(parties)
    graph = keep_largest(full)
    pos = layout(graph)
    nodes = pd.DataFrame([{"node": n, "x": pos[n][0], "y": pos[n][1], **graph.nodes[n]} for n in sorted(graph.nodes)],
                         columns=["node", "x", "y", "name", "country", "group", "agreements"])
    edges = pd.DataFrame(
        [{"source": a, "target": b, "x0": pos[a][0], "y0": pos[a][1], "x1": pos[b][0], "y1": pos[b][1],
          "agreements": "; ".join(d["agreements"]), "weight": len(d["agreements"])}
         for a, b, d in sorted((min(u, v), max(u, v), d) for u, v, d in graph.edges(data=True))],
        columns=["source", "target", "x0", "y0", "x1", "y1", "agreements", "weight"])
    return nodes, edges, full.number_of_nodes() - graph.number_of_nodes()
