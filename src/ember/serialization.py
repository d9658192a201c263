"""ember.save / ember.load: tensors and nested containers without pickle."""
