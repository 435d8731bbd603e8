#include <torch/torch.h>

#include "dataopt/core/check.h"
#include "dataopt/nn/model.h"
#include "test_support.h"

namespace dataopt::nn {

class Models : public test::SeedingFixture {};

TEST_F(Models, ConvNetMatchesTheOfficialFashionMnistLayout) {
  auto m = make_model({.name = "convnet", .in_channels = 1, .image_size = 28,
                       .num_classes = 10});
  // 3 x (conv + GroupNorm) + linear 2048 -> 10, as in the condensation papers.
  EXPECT_EQ(m->parameter_count(), 317706);
  EXPECT_EQ(m->feature_dim(), 2048);
  EXPECT_EQ(m->n_stages(), 3);
  const at::Tensor x = torch::rand({2, 1, 28, 28});
  EXPECT_EQ(m->forward(x).sizes(), (std::vector<int64_t>{2, 10}));
  EXPECT_EQ(m->features(x).sizes(), (std::vector<int64_t>{2, 2048}));
}

TEST_F(Models, ConvNetOn32x32Rgb) {
  auto m = make_model({.name = "convnet", .in_channels = 3, .image_size = 32,
                       .num_classes = 10});
  EXPECT_EQ(m->feature_dim(), 2048);
  EXPECT_EQ(m->forward(torch::rand({2, 3, 32, 32})).sizes(),
            (std::vector<int64_t>{2, 10}));
}

TEST_F(Models, StagesComposeToForward) {
  for (const std::string name : {"convnet", "resnet-small", "mlp"}) {
    auto m = make_model({.name = name, .image_size = 16, .num_classes = 4});
    m->train(false);
    const at::Tensor x = torch::rand({3, 1, 16, 16});
    at::Tensor h = m->normalize_input(x);
    for (int64_t i = 0; i < m->n_stages(); ++i) h = m->stage(i, h);
    EXPECT_TENSOR_NEAR(m->head(m->to_features(h)), m->forward(x), 1e-5, 1e-6) << name;
  }
}

TEST_F(Models, ResNet18HasTheUsualSize) {
  auto m = make_model({.name = "resnet18", .in_channels = 3, .image_size = 32,
                       .num_classes = 10});
  // PreAct ResNet-18 for CIFAR-10: 11.17M parameters.
  EXPECT_NEAR(static_cast<double>(m->parameter_count()), 11.17e6, 0.01e6);
  EXPECT_EQ(m->feature_dim(), 512);
}

TEST_F(Models, SeedFixesInitAndRestoresGlobalStream) {
  torch::manual_seed(5);
  const at::Tensor before = torch::rand({3});
  torch::manual_seed(5);
  auto a = make_model({.name = "mlp", .image_size = 8, .seed = 1});
  const at::Tensor after = torch::rand({3});
  EXPECT_TRUE(torch::equal(before, after));
  auto b = make_model({.name = "mlp", .image_size = 8, .seed = 1});
  auto c = make_model({.name = "mlp", .image_size = 8, .seed = 2});
  EXPECT_TRUE(torch::equal(a->parameters()[0], b->parameters()[0]));
  EXPECT_FALSE(torch::equal(a->parameters()[0], c->parameters()[0]));
}

TEST_F(Models, InputNormalizationIsPartOfTheModel) {
  auto m = make_model({.name = "mlp", .image_size = 4, .mean = {0.5}, .std = {0.25}});
  const at::Tensor x = torch::full({1, 1, 4, 4}, 0.75);
  EXPECT_TENSOR_NEAR(m->normalize_input(x), torch::ones({1, 1, 4, 4}));
}

TEST_F(Models, SaveLoadRoundTrip) {
  test::TempDir dir;
  auto m = make_model({.name = "resnet-small", .image_size = 16, .num_classes = 3,
                       .mean = {0.3}, .std = {0.2}, .seed = 9});
  // Change BN running stats so that buffers matter.
  m->train(true);
  m->forward(torch::rand({4, 1, 16, 16}));
  m->train(false);
  save_model(dir / "m.safetensors", *m, {{"note", "x"}});
  auto back = load_model(dir / "m.safetensors");
  back->train(false);
  const at::Tensor x = torch::rand({2, 1, 16, 16});
  EXPECT_TRUE(torch::equal(m->forward(x), back->forward(x)));
  EXPECT_EQ(back->options().mean, std::vector<double>{0.3});
}

TEST_F(Models, BadOptionsAndInputs) {
  EXPECT_THROW(make_model({.name = "vgg"}), Error);
  EXPECT_THROW(make_model({.num_classes = 1}), Error);
  EXPECT_THROW(make_model({.in_channels = 3, .mean = {0.5}, .std = {0.5}}), Error);
  auto m = make_model({.name = "convnet"});
  EXPECT_THROW(m->forward(torch::rand({2, 3, 28, 28})), Error);
  auto other = make_model({.name = "convnet", .num_classes = 5});
  EXPECT_THROW(other->load_state_dict(m->state_dict()), Error);
}

}  // namespace dataopt::nn
