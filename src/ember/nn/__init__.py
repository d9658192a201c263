"""ember.nn: modules, layers, losses, functional forms and initialisation, as torch.nn."""
