//===- Model.cpp - a compiled model, run through the C runtime ------------===//
#include "tfc/Runtime/Model.h"

#include <cstring>
#include <dlfcn.h>

using namespace ::tfc::runtime;

static_assert((int)DType::f32 == TFC_F32 && (int)DType::bf16 == TFC_BF16 &&
                  (int)DType::u16 == TFC_U16 && (int)DType::b1 == TFC_BOOL,
              "DType and tfc_dtype must agree");

Model::~Model() {
  if (instance)
    api.destroy(instance);
}

Model::Api Model::linkedApi() {
  return {tfc_model_destroy,       tfc_model_error,
          tfc_model_num_inputs,    tfc_model_num_outputs,
          tfc_model_input_name,    tfc_model_input_dtype,
          tfc_model_input_rank,    tfc_model_input_shape,
          tfc_model_output_name,   tfc_model_output_dtype,
          tfc_model_output_rank,   tfc_model_output_shape,
          tfc_model_set_input,     tfc_model_run,
          tfc_model_output,        tfc_model_threads};
}

void Model::attach(const Api &a, tfc_model *m) {
  api = a;
  instance = m;
  auto specs = [&](int n, auto name, auto dtype, auto rank, auto shape,
                   std::vector<TensorSpec> &out) {
    for (int i = 0; i < n; ++i) {
      TensorSpec s;
      s.name = name(m, i);
      s.dtype = (DType)dtype(m, i);
      const int64_t *sizes = shape(m, i);
      s.shape.assign(sizes, sizes + rank(m, i));
      out.push_back(std::move(s));
    }
  };
  specs(api.numInputs(m), api.inputName, api.inputDtype, api.inputRank,
        api.inputShape, inputSpecs);
  specs(api.numOutputs(m), api.outputName, api.outputDtype, api.outputRank,
        api.outputShape, outputSpecs);
}

bool Model::run(const std::vector<HostTensor> &inputs, std::string &error) {
  if (inputs.size() != inputSpecs.size()) {
    error = "the model has " + std::to_string(inputSpecs.size()) +
            " inputs, got " + std::to_string(inputs.size());
    return false;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const HostTensor &t = inputs[i];
    if (api.setInput(instance, (int)i, (tfc_dtype)t.dtype, t.data.data(),
                     t.shape.data(), (int)t.shape.size())) {
      error = api.error(instance);
      return false;
    }
  }
  if (api.run(instance)) {
    error = api.error(instance);
    return false;
  }
  return true;
}

bool Model::readOutputs(std::vector<HostTensor> &outputs, std::string &error) {
  // Repeated calls reuse the output buffers: a fresh vector would
  // zero-fill and page-fault GPT-2's 25 MB of logits (5 % of its run time)
  // before the copy.
  outputs.resize(outputSpecs.size());
  for (size_t i = 0; i < outputSpecs.size(); ++i) {
    const void *data;
    const int64_t *shape;
    int rank;
    if (api.output(instance, (int)i, &data, &shape, &rank)) {
      error = api.error(instance);
      return false;
    }
    HostTensor &t = outputs[i];
    t.dtype = outputSpecs[i].dtype;
    t.shape.assign(shape, shape + rank);
    t.data.resize(t.numElements() * dtypeSize(t.dtype));
    if (!t.data.empty())
      std::memcpy(t.data.data(), data, t.data.size());
  }
  return true;
}

std::unique_ptr<SharedLibraryModel>
SharedLibraryModel::load(const std::string &path, std::string &error) {
  // RTLD_LOCAL: each library keeps its own runtime and weights.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  void *handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = ::dlerror();
    error = "cannot load '" + path + "': " + (why ? why : "unknown error");
    return nullptr;
  }
  std::unique_ptr<SharedLibraryModel> m(new SharedLibraryModel());
  m->handle = handle;
  const char *missing = nullptr;
  auto sym = [&](const char *name, auto &fn) {
    void *p = ::dlsym(handle, name);
    if (!p && !missing)
      missing = name;
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
  };
  Api a{};
  tfc_model *(*create)(void) = nullptr;
  sym("tfc_model_create", create);
  sym("tfc_model_destroy", a.destroy);
  sym("tfc_model_error", a.error);
  sym("tfc_model_num_inputs", a.numInputs);
  sym("tfc_model_num_outputs", a.numOutputs);
  sym("tfc_model_input_name", a.inputName);
  sym("tfc_model_input_dtype", a.inputDtype);
  sym("tfc_model_input_rank", a.inputRank);
  sym("tfc_model_input_shape", a.inputShape);
  sym("tfc_model_output_name", a.outputName);
  sym("tfc_model_output_dtype", a.outputDtype);
  sym("tfc_model_output_rank", a.outputRank);
  sym("tfc_model_output_shape", a.outputShape);
  sym("tfc_model_set_input", a.setInput);
  sym("tfc_model_run", a.run);
  sym("tfc_model_output", a.output);
  sym("tfc_model_threads", a.threads);
  if (missing) {
    error = "'" + path + "' is not a model compiled by this version of tfc-compile (no " +
            missing + ")";
    return nullptr;
  }
  tfc_model *instance = create();
  if (!instance) {
    error = "'" + path + "': tfc_model_create failed (out of memory)";
    return nullptr;
  }
  // A library compiled for a CPU feature this one lacks says so at once.
  if (const char *why = a.error(instance); why && *why) {
    error = "cannot run '" + path + "' here: " + why;
    a.destroy(instance);
    return nullptr;
  }
  m->attach(a, instance);
  return m;
}

SharedLibraryModel::~SharedLibraryModel() {
  if (instance)
    api.destroy(instance);
  instance = nullptr;
  if (handle)
    ::dlclose(handle);
}
