// The order a backward pass visits nodes in.

extension GradNode {
    /// Every node reachable from `roots`, each after all the nodes that produced its inputs
    /// (post-order; a pass walks it backwards, so a node runs once all its consumers have).
    /// Iterative depth-first search: graphs can be deeper than the stack.
    static func postOrder(from roots: [GradNode]) -> [GradNode] {
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(node: GradNode, nextEdge: Int)] = []
        for root in roots where visited.insert(ObjectIdentifier(root)).inserted {
            stack.append((root, 0))
            while let (node, next) = stack.last {
                if next < node.edges.count {
                    stack[stack.count - 1].nextEdge = next + 1
                    if case .node(let child) = node.edges[next], visited.insert(ObjectIdentifier(child)).inserted {
                        stack.append((child, 0))
                    }
                } else {
                    order.append(node)
                    stack.removeLast()
                }
            }
        }
        return order
    }
}
