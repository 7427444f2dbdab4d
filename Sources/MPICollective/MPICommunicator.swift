// The ranks of an `mpirun` as a `Collective` over Open MPI. Built only with the MPI trait
// (`swift build --traits MPI`); without it this module is empty.
#if MPI
import Autograd
import CMPI
import Foundation

public final class MPICommunicator: Collective {
    public let rank: Int
    public let size: Int
    /// Ranks on this machine (they share its cores).
    public let localSize: Int
    private let comm: MPI_Comm

    /// Starts MPI for this process (once); only the calling thread will use it. Errors of
    /// MPI end every rank (its default handler), so no rank waits for a dead one.
    public init() {
        cmpi_keep_heap_for_buffers()
        var provided: Int32 = 0
        MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        comm = cmpi_comm_world()
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(comm, &r)
        MPI_Comm_size(comm, &s)
        rank = Int(r)
        size = Int(s)
        var local: MPI_Comm? = nil
        MPI_Comm_split_type(comm, cmpi_comm_type_shared(), r, cmpi_info_null(), &local)
        var l: Int32 = 1
        if local != nil { MPI_Comm_size(local, &l); MPI_Comm_free(&local) }
        localSize = Int(l)
    }

    /// Ends MPI; call once, when every rank is done.
    public func finish() { MPI_Finalize() }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard buffer.count > 0 else { return }
        MPI_Allreduce(cmpi_in_place(), buffer.baseAddress, Int32(buffer.count), cmpi_float(), cmpi_sum(), comm)
    }

    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) -> CollectiveRequest {
        let request = MPIRequest()
        if buffer.count > 0 {
            MPI_Iallreduce(cmpi_in_place(), buffer.baseAddress, Int32(buffer.count), cmpi_float(), cmpi_sum(), comm, &request.handle)
        }
        return request
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) {
        guard buffer.count > 0 else { return }
        MPI_Bcast(buffer.baseAddress, Int32(buffer.count), cmpi_byte(), Int32(root), comm)
    }

    public func abort(_ code: Int32) -> Never {
        MPI_Abort(comm, code)
        exit(code)
    }
}

/// A non-blocking all-reduce under way.
final class MPIRequest: CollectiveRequest {
    var handle: MPI_Request? = cmpi_request_null()

    func test() -> Bool {
        var done: Int32 = 0
        MPI_Test(&handle, &done, cmpi_status_ignore())
        return done != 0
    }

    func wait() { MPI_Wait(&handle, cmpi_status_ignore()) }
}
#endif
