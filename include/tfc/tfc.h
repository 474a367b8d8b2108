/* tfc: TensorFlow-1-style deep learning in C. The one header a program includes:
 *
 *     #include <tfc/tfc.h>
 *     cc prog.c $(pkg-config --cflags --libs tfc)
 *
 * It brings the whole public API, each part documented in its own header:
 *   api.h               TFC_API (what libtfc exports) and C linkage for C++
 *   version.h           TFC_VERSION_* and tfc_version()
 *   status.h            errors as values (tfc_status): the first error wins, later ones are ignored
 *   tensor.h            tensors (tfc_tensor) and their dtypes and shapes
 *   graph.h             the graph (tfc_graph), name scopes, devices, and looking at nodes
 *   ops.h               building graphs, one function per op (tfc_matmul, tfc_relu, ...)
 *   grad.h              tf.gradients (tfc_gradients)
 *   optimizer.h         GradientDescent, Momentum, Adagrad, RMSProp, Adam; global_step
 *   session.h           running graphs (tfc_session_run) with feeds and fetches
 *   comm.h              the process group collective ops run on (tfc_comm)
 *   distributed.h       data-parallel training: gradients averaged over ranks, Horovod-style
 *   mpi_comm.h          joining an MPI job (mpirun) as a tfc_comm
 *   summary_ops.h       tf.summary.scalar / histogram / image / merge_all as graph ops
 *   event_writer.h      TensorBoard event files (tfc_event_writer)
 *   graphdef.h          a graph as a serialized TensorFlow GraphDef
 *   graph_import.h      TensorFlow's GraphDefs (.pb) and MetaGraphs (.meta) imported into a graph
 *   meta_graph.h        MetaGraphs (.meta) with their collections, imported and written
 *   logdir.h            reading a logdir's scalars, histograms and graphs back
 *   saver.h             tf.train.Saver: checkpoints saved and restored by variable name
 *   checkpoint_state.h  the `checkpoint` file and finding a checkpoint from a path
 *   bundle.h            TensorFlow checkpoints (tensor bundles V2, read V1) tensor by tensor
 *   mnist.h             MNIST and Fashion-MNIST (IDX files) in shuffled batches
 *   models.h            the seed tutorials' networks (softmax, mlp, deep, cnn), built and evaluated
 *
 * What every header takes for granted:
 *   Errors. A function that can fail takes a tfc_status *st last (status.h) and returns false,
 *     NULL, -1 or TFC_NO_OUT with st holding the first error: one line naming the file, node,
 *     tensor or shape involved. st may be NULL when the message is not wanted. Graph building
 *     keeps its errors in the graph instead (graph.h), so that a chain of builder calls is checked
 *     once, by tfc_graph_check or tfc_session_new.
 *   Ownership. What a function makes (_new, _open, _load, _copy, _read, _serialize, the outputs of
 *     tfc_session_run) belongs to the caller, who frees it with the matching _free or _close, or
 *     free() for plain buffers; those accept NULL. A pointer a function returns into an object (a
 *     node's name, a tensor's string, a checkpoint entry) is borrowed and lives as long as the
 *     object. Arguments are read during the call and copied when kept.
 *   NULL. No function crashes on a NULL object, such as a failed constructor's result, or on a
 *     NULL argument, an array given with a count included: it reports the error or returns nothing
 *     (tests/tools/test_install.py calls every public function with NULLs and counts of 0 and 2,
 *     alone and beside a live graph, session and tensor).
 */
#ifndef TFC_TFC_H
#define TFC_TFC_H

#include "api.h"
#include "version.h"
#include "status.h"
#include "tensor.h"
#include "graph.h"
#include "ops.h"
#include "grad.h"
#include "optimizer.h"
#include "session.h"
#include "comm.h"
#include "distributed.h"
#include "mpi_comm.h"
#include "summary_ops.h"
#include "event_writer.h"
#include "graphdef.h"
#include "graph_import.h"
#include "meta_graph.h"
#include "logdir.h"
#include "saver.h"
#include "checkpoint_state.h"
#include "bundle.h"
#include "mnist.h"
#include "models.h"

#endif
