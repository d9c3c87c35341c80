//===- Model.h - a compiled model, run through the C runtime -----*- C++ -*-===//
#ifndef TFC_RUNTIME_MODEL_H
#define TFC_RUNTIME_MODEL_H

#include "tfc/Runtime/CompilePhases.h"
#include "tfc/Runtime/HostTensor.h"

#include "tfc-c/Model.h"

#include <memory>
#include <string>
#include <vector>

namespace tfc::runtime {

/// Declared type of one model input or output (-1 = dynamic size).
struct TensorSpec {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  /// Symbolic name of each size ("" if none); inputs must agree on each.
  std::vector<std::string> dimNames;
};

/// A compiled model behind the C API of tfc-c/Model.h: compiled in process
/// (JitModel) or a shared library written by tfc-compile
/// (SharedLibraryModel). Both run through the same C runtime.
class Model {
public:
  virtual ~Model();

  const std::vector<TensorSpec> &inputs() const { return inputSpecs; }
  const std::vector<TensorSpec> &outputs() const { return outputSpecs; }
  /// The worker threads a run uses (fixed when the model was compiled).
  int threads() const { return api.threads(instance); }
  /// Each compile phase, in order (wall time and memory); empty for a
  /// model loaded from a shared library.
  const std::vector<CompilePhase> &compilePhases() const { return phases; }

  /// Checks `inputs` (one per model input, in order) against the specs and
  /// runs the model; `outputs` becomes one tensor per model output (the
  /// buffers of tensors already there are reused). On error returns false
  /// with a message naming the input.
  bool run(const std::vector<HostTensor> &inputs,
           std::vector<HostTensor> &outputs, std::string &error) {
    return run(inputs, error) && readOutputs(outputs, error);
  }
  /// run without reading the outputs: the C API's tfc_model_set_input and
  /// tfc_model_run, what a program using a compiled model waits for.
  bool run(const std::vector<HostTensor> &inputs, std::string &error);
  /// Copies the outputs of the last run into `outputs` (as run does).
  bool readOutputs(std::vector<HostTensor> &outputs, std::string &error);

protected:
  /// The C API's entry points (the linked-in runtime, or a library's).
  struct Api {
    void (*destroy)(tfc_model *);
    const char *(*error)(const tfc_model *);
    int (*numInputs)(const tfc_model *), (*numOutputs)(const tfc_model *);
    const char *(*inputName)(const tfc_model *, int);
    int (*inputDtype)(const tfc_model *, int), (*inputRank)(const tfc_model *, int);
    const int64_t *(*inputShape)(const tfc_model *, int);
    const char *(*outputName)(const tfc_model *, int);
    int (*outputDtype)(const tfc_model *, int),
        (*outputRank)(const tfc_model *, int);
    const int64_t *(*outputShape)(const tfc_model *, int);
    int (*setInput)(tfc_model *, int, tfc_dtype, const void *, const int64_t *,
                    int);
    int (*run)(tfc_model *);
    int (*output)(tfc_model *, int, const void **, const int64_t **, int *);
    int (*threads)(const tfc_model *);
  };
  /// The runtime linked into this program.
  static Api linkedApi();
  /// Takes `instance` and reads the input and output specs through `api`.
  void attach(const Api &api, tfc_model *instance);

  Api api{};
  tfc_model *instance = nullptr;
  std::vector<TensorSpec> inputSpecs, outputSpecs;
  std::vector<CompilePhase> phases;
};

/// A model compiled by `tfc-compile --target=cpu`, loaded with dlopen.
class SharedLibraryModel : public Model {
public:
  /// Returns null with `error` set when the file is not such a library.
  static std::unique_ptr<SharedLibraryModel> load(const std::string &path,
                                                  std::string &error);
  ~SharedLibraryModel() override;

private:
  SharedLibraryModel() = default;
  void *handle = nullptr;
};

} // namespace tfc::runtime

#endif
